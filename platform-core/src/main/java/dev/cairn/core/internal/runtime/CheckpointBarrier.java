package dev.cairn.core.internal.runtime;

/**
 * @param stopAfter the job stops once this savepoint completes (stop-with-savepoint)
 * @param endOfData every source has ended: operators flush (fire remaining timers) before snapshotting
 */
record CheckpointBarrier(long checkpointId, boolean savepoint, boolean stopAfter, boolean endOfData) {
}
