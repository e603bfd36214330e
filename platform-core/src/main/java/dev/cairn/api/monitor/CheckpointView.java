package dev.cairn.api.monitor;

/**
 * One completed checkpoint.
 *
 * @param completedAt   epoch milliseconds
 * @param durationMillis from trigger to completion
 * @param alignmentMillis the longest barrier alignment among its subtasks: how long their inputs
 *                        were held back between the first barrier and the last
 * @param stateBytes    the bytes of every file the checkpoint references
 * @param writtenBytes  the bytes it wrote itself (the rest it shares with earlier checkpoints)
 * @param inFlightBytes the bytes of queued records it holds (an unaligned checkpoint's)
 */
public record CheckpointView(long id, long completedAt, long durationMillis, double alignmentMillis, long stateBytes, long writtenBytes,
                             long inFlightBytes) {

    /** An aligned checkpoint: no records in flight. */
    public CheckpointView(long id, long completedAt, long durationMillis, double alignmentMillis, long stateBytes, long writtenBytes) {
        this(id, completedAt, durationMillis, alignmentMillis, stateBytes, writtenBytes, 0);
    }
}
