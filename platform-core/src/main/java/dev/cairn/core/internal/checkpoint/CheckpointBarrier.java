package dev.cairn.core.internal.checkpoint;

import dev.cairn.core.internal.snapshot.SnapshotFormats;

/**
 * @param stopAfter the job stops once this snapshot completes (stop-with-savepoint, or a handover's stop-with-checkpoint)
 * @param endOfData every source has ended: operators flush (fire remaining timers) before snapshotting
 * @param format    how keyed state is written: {@link SnapshotFormats#NATIVE} (the backend's own;
 *                  incremental for checkpoints, self-contained for savepoints) or a format's name
 */
public record CheckpointBarrier(long checkpointId, boolean savepoint, boolean stopAfter, boolean endOfData, String format) {

    /** What the snapshot's metadata and ledger entry call its format. */
    public String describedFormat() {
        return !SnapshotFormats.NATIVE.equals(format) ? format : savepoint ? "native" : "incremental";
    }
}
