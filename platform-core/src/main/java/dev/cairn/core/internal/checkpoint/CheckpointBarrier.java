package dev.cairn.core.internal.checkpoint;

/**
 * @param stopAfter the job stops once this savepoint completes (stop-with-savepoint)
 * @param endOfData every source has ended: operators flush (fire remaining timers) before snapshotting
 */
public record CheckpointBarrier(long checkpointId, boolean savepoint, boolean stopAfter, boolean endOfData) {
}
