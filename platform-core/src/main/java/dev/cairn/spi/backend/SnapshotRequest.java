package dev.cairn.spi.backend;

/**
 * @param incremental write only what changed since the last completed checkpoint the backend was told of
 * @param savepoint   self-contained: never reference earlier files
 */
public record SnapshotRequest(long checkpointId, boolean savepoint, boolean incremental, SnapshotStreams streams) {
}
