package dev.cairn.core.internal.checkpoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the console, the web pages and the metrics endpoint show of a job: throughput, restarts
 * and recent checkpoints. One instance lives as long as the job does on this platform, across its
 * runs (restarts, rescales, backend switches), so counters never fall back to zero.
 */
public final class JobMetrics {

    /** How many completed checkpoints the history keeps for charts. */
    public static final int HISTORY = 120;

    /**
     * One completed checkpoint: how long it took, the longest barrier alignment of its subtasks,
     * how much state it covers, what it wrote, when it completed; how many subtasks snapshotted
     * unaligned and the bytes of records in flight it holds.
     */
    public record CheckpointStats(long id, long durationMillis, long alignmentNanos, long stateBytes, long writtenBytes, long completedAt,
                                  int unalignedSubtasks, long inFlightBytes) {
    }

    private final LongAdder recordsEmitted = new LongAdder();
    private final LongAdder completedCheckpoints = new LongAdder();
    private final LongAdder failedCheckpoints = new LongAdder();
    private final LongAdder restarts = new LongAdder();
    private final ArrayDeque<CheckpointStats> history = new ArrayDeque<>();
    private volatile CheckpointStats lastCheckpoint;
    private long rateSampledAt = System.nanoTime();
    private long rateSampledRecords;
    private double recordsPerSecond;

    public void recordEmitted() {
        recordsEmitted.increment();
    }

    void checkpointCompleted(CheckpointStats stats) {
        synchronized (history) {
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(stats);
        }
        lastCheckpoint = stats;
        completedCheckpoints.increment();
    }

    void checkpointFailed() {
        failedCheckpoints.increment();
    }

    /** The job restarted from its last checkpoint after a failure. */
    public void restarted() {
        restarts.increment();
    }

    /** Checkpoints completed since the job was created or the platform started. */
    public long completedCheckpoints() {
        return completedCheckpoints.sum();
    }

    /** Checkpoints that failed (declined, timed out, or not committed). */
    public long failedCheckpoints() {
        return failedCheckpoints.sum();
    }

    /** Restarts after failures, over all runs. */
    public long restarts() {
        return restarts.sum();
    }

    /** Records emitted by the job's sources, over all runs (replays after a restart count again). */
    public long recordsEmitted() {
        return recordsEmitted.sum();
    }

    /**
     * Records per second the sources emitted between the previous reading at least a second ago and
     * now; the value of that reading when asked again sooner. Readers (console, scrapes) set the pace.
     */
    public synchronized double recordsPerSecond() {
        long now = System.nanoTime();
        long elapsed = now - rateSampledAt;
        if (elapsed >= 1_000_000_000L) {
            long records = recordsEmitted.sum();
            recordsPerSecond = (records - rateSampledRecords) * 1e9 / elapsed;
            rateSampledAt = now;
            rateSampledRecords = records;
        }
        return recordsPerSecond;
    }

    /** {@code null} before the first checkpoint completes. */
    public CheckpointStats lastCheckpoint() {
        return lastCheckpoint;
    }

    /** The last {@value #HISTORY} completed checkpoints, oldest first. */
    public List<CheckpointStats> checkpointHistory() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }
}
