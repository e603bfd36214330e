package dev.cairn.core.internal.task;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;

/** What flows through channels. Each element carries the input channel it arrived on. */
sealed interface StreamElement {
    int channel();

    record Record(int channel, Object value, long timestamp, boolean hasTimestamp) implements StreamElement {
    }

    record Watermark(int channel, long time) implements StreamElement {
    }

    record Barrier(int channel, CheckpointBarrier barrier) implements StreamElement {
    }

    record EndOfInput(int channel) implements StreamElement {
    }
}
