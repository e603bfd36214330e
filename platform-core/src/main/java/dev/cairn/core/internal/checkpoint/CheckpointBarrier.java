package dev.cairn.core.internal.checkpoint;

import dev.cairn.core.internal.snapshot.SnapshotFormats;

/**
 * @param stopAfter        the job stops once this snapshot completes (stop-with-savepoint, or a handover's stop-with-checkpoint)
 * @param endOfData        every source has ended: operators flush (fire remaining timers) before snapshotting
 * @param format           how keyed state is written: {@link SnapshotFormats#NATIVE} (the backend's own;
 *                         incremental for checkpoints, self-contained for savepoints) or a format's name
 * @param unaligned        the barrier is announced ahead of the queued records, and a subtask may snapshot
 *                         before its input is aligned, keeping the records still queued before the barrier
 * @param triggeredAt      when the checkpoint was triggered, on the job's clock
 * @param alignedTimeoutMillis with {@code unaligned}: how long after {@code triggeredAt} a subtask waits for
 *                         alignment before it snapshots unaligned (0: at once)
 */
public record CheckpointBarrier(long checkpointId, boolean savepoint, boolean stopAfter, boolean endOfData, String format,
                                boolean unaligned, long triggeredAt, long alignedTimeoutMillis) {

    /** An aligned barrier. */
    public CheckpointBarrier(long checkpointId, boolean savepoint, boolean stopAfter, boolean endOfData, String format) {
        this(checkpointId, savepoint, stopAfter, endOfData, format, false, 0, 0);
    }

    /** What the snapshot's metadata and ledger entry call its format. */
    public String describedFormat() {
        return !SnapshotFormats.NATIVE.equals(format) ? format : savepoint ? "native" : "incremental";
    }

    /** When a subtask still aligning this checkpoint stops waiting and snapshots unaligned, on the job's clock. */
    public long alignmentDeadline() {
        return triggeredAt + alignedTimeoutMillis;
    }
}
