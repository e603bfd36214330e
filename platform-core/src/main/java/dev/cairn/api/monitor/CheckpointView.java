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
 */
public record CheckpointView(long id, long completedAt, long durationMillis, double alignmentMillis, long stateBytes, long writtenBytes) {
}
