package dev.cairn.api.monitor;

/**
 * One completed checkpoint.
 *
 * @param completedAt   epoch milliseconds
 * @param durationMillis from trigger to completion
 * @param stateBytes    the bytes of every file the checkpoint references
 * @param writtenBytes  the bytes it wrote itself (the rest it shares with earlier checkpoints)
 */
public record CheckpointView(long id, long completedAt, long durationMillis, long stateBytes, long writtenBytes) {
}
