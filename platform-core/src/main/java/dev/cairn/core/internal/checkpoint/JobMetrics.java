package dev.cairn.core.internal.checkpoint;

import java.util.concurrent.atomic.LongAdder;

/** What the console and the demo show of a running job: throughput and the last checkpoint. */
public final class JobMetrics {

    /** The last completed checkpoint: how long it took, how much state it covers, what it wrote. */
    public record CheckpointStats(long id, long durationMillis, long stateBytes, long writtenBytes, long completedAt) {
    }

    private final LongAdder recordsEmitted = new LongAdder();
    private volatile CheckpointStats lastCheckpoint;
    private final LongAdder completedCheckpoints = new LongAdder();
    private final LongAdder failedCheckpoints = new LongAdder();

    public void recordEmitted() {
        recordsEmitted.increment();
    }

    void checkpointCompleted(CheckpointStats stats) {
        lastCheckpoint = stats;
        completedCheckpoints.increment();
    }

    void checkpointFailed() {
        failedCheckpoints.increment();
    }

    /** Checkpoints completed since the job master started. */
    public long completedCheckpoints() {
        return completedCheckpoints.sum();
    }

    /** Checkpoints that failed (declined, timed out, or not committed) since the job master started. */
    public long failedCheckpoints() {
        return failedCheckpoints.sum();
    }

    /** Records emitted by the job's sources since the job master started (replays count again). */
    public long recordsEmitted() {
        return recordsEmitted.sum();
    }

    /** {@code null} before the first checkpoint completes. */
    public CheckpointStats lastCheckpoint() {
        return lastCheckpoint;
    }
}
