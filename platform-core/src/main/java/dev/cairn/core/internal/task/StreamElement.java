package dev.cairn.core.internal.task;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;

/** What flows through channels. Each element carries the input channel it arrived on. */
sealed interface StreamElement {
    int channel();

    /** A record; {@code key} is what the upstream's key selector returned when it routed the record by key, else null. */
    record Record(int channel, Object value, long timestamp, boolean hasTimestamp, Object key) implements StreamElement {
        Record(int channel, Object value, long timestamp, boolean hasTimestamp) {
            this(channel, value, timestamp, hasTimestamp, null);
        }
    }

    /** The first {@code size} records of {@code records}, all from one channel, in order: how records cross threads. */
    record Batch(int channel, Record[] records, int size) implements StreamElement {
    }

    record Watermark(int channel, long time) implements StreamElement {
    }

    record Barrier(int channel, CheckpointBarrier barrier) implements StreamElement {
    }

    record EndOfInput(int channel) implements StreamElement {
    }
}
