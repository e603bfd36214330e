package dev.cairn.core.internal.task;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The input of one subtask: a bounded queue shared by all its input channels (so producers block
 * when the subtask falls behind) and barrier alignment. When a barrier arrives on one channel,
 * that channel's later elements are held back until the same barrier has arrived on every other
 * live channel; then the subtask sees the barrier once and the held elements follow.
 */
final class InputGate {

    private final BlockingQueue<StreamElement> queue;
    private final int channels;
    private final boolean[] blocked;
    private final boolean[] ended;
    private final long[] watermarks;
    private final ArrayDeque<StreamElement>[] held;
    private final ArrayDeque<StreamElement> replay = new ArrayDeque<>();
    private CheckpointBarrier aligning;
    private long alignmentStartedNanos;
    private long lastAlignmentNanos;
    private int endedCount;
    private long emittedWatermark = Long.MIN_VALUE;
    // an ended channel can advance the watermark in the same step that completes an alignment
    private boolean watermarkPending;

    @SuppressWarnings("unchecked")
    InputGate(int channels, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.channels = channels;
        this.blocked = new boolean[channels];
        this.ended = new boolean[channels];
        this.watermarks = new long[channels];
        Arrays.fill(watermarks, Long.MIN_VALUE);
        this.held = new ArrayDeque[channels];
        for (int i = 0; i < channels; i++) {
            held[i] = new ArrayDeque<>();
        }
    }

    /** How long a subtask out of input waits for a full batch before it takes the producers' partial ones. */
    private static final long PATIENCE_MICROS = 1_000;

    private final List<ChannelBuffer> producers = new CopyOnWriteArrayList<>();
    /** The batch whose records the subtask is being handed, one by one. */
    private StreamElement.Batch batch;
    private int next;

    /** Called by producers; blocks while the queue is full. */
    void put(StreamElement element) throws InterruptedException {
        queue.put(element);
    }

    /** Called by a consumer handing over a producer's partial batch: never blocks. */
    boolean offer(StreamElement element) {
        return queue.offer(element);
    }

    void addProducer(ChannelBuffer producer) {
        producers.add(producer);
    }

    /** Whether records of the current batch are still to come: checks done once per batch can wait. */
    boolean inBatch() {
        return batch != null && next < batch.size();
    }

    /**
     * The next element for the subtask: a record, a watermark (the minimum over channels, when it
     * advances), an aligned barrier, or end of input once every channel ended; {@code null} if none
     * arrived within the timeout.
     */
    StreamElement next(long timeoutMillis) throws InterruptedException {
        if (watermarkPending) {
            watermarkPending = false;
            StreamElement w = advancedWatermark();
            if (w != null) {
                return w;
            }
        }
        while (true) {
            if (batch != null) {
                if (next < batch.size()) {
                    StreamElement.Record r = batch.records()[next];
                    batch.records()[next++] = null;
                    return r;
                }
                batch = null;
            }
            StreamElement e = replay.poll();
            if (e == null) {
                e = queue.poll();
            }
            if (e == null) {
                // out of input: a fast producer fills its batch within the patience; a slow one's records are
                // taken as they are (taking them at once would hand records over one at a time again)
                e = queue.poll(PATIENCE_MICROS, TimeUnit.MICROSECONDS);
            }
            if (e == null) {
                producers.forEach(ChannelBuffer::handOverPartial);
                e = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
                if (e == null) {
                    return null;
                }
            }
            StreamElement out = handle(e);
            if (out != null) {
                return out;
            }
        }
    }

    private StreamElement handle(StreamElement e) {
        int c = e.channel();
        if (blocked[c]) {
            held[c].add(e);
            return null;
        }
        if (e instanceof StreamElement.Batch b) {
            batch = b;
            next = 0;
            return null;
        }
        if (e instanceof StreamElement.Record) {
            return e;
        }
        if (e instanceof StreamElement.Watermark w) {
            watermarks[c] = Math.max(watermarks[c], w.time());
            return advancedWatermark();
        }
        if (e instanceof StreamElement.Barrier b) {
            if (aligning == null) {
                aligning = b.barrier();
                alignmentStartedNanos = System.nanoTime();
            } else if (aligning.checkpointId() != b.barrier().checkpointId()) {
                throw new IllegalStateException("Barrier of checkpoint " + b.barrier().checkpointId()
                        + " arrived while aligning checkpoint " + aligning.checkpointId());
            }
            blocked[c] = true;
            return alignmentDone();
        }
        ended[c] = true;
        endedCount++;
        watermarks[c] = Long.MAX_VALUE;
        if (aligning != null) {
            StreamElement done = alignmentDone();
            if (done != null) {
                watermarkPending = true;
                return done;
            }
        }
        if (endedCount == channels) {
            return new StreamElement.EndOfInput(-1);
        }
        return advancedWatermark();
    }

    private StreamElement alignmentDone() {
        for (int i = 0; i < channels; i++) {
            if (!ended[i] && !blocked[i]) {
                return null;
            }
        }
        StreamElement aligned = new StreamElement.Barrier(-1, aligning);
        aligning = null;
        lastAlignmentNanos = System.nanoTime() - alignmentStartedNanos;
        for (int i = 0; i < channels; i++) {
            blocked[i] = false;
            replay.addAll(held[i]);
            held[i].clear();
        }
        return aligned;
    }

    /**
     * How long the last alignment held channels back: from the first barrier to the last, the
     * time a backpressured channel delays the checkpoint (Flink's "alignment duration").
     */
    long lastAlignmentNanos() {
        return lastAlignmentNanos;
    }

    private StreamElement advancedWatermark() {
        long min = Long.MAX_VALUE;
        for (long w : watermarks) {
            min = Math.min(min, w);
        }
        if (min > emittedWatermark && min != Long.MAX_VALUE) {
            emittedWatermark = min;
            return new StreamElement.Watermark(-1, min);
        }
        return null;
    }
}
