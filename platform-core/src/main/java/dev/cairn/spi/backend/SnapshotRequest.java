package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.KeyGroupSectionWriter;

/**
 * A native snapshot to take.
 *
 * @param savepoint self-contained: reference no earlier file (a checkpoint writes only what
 *                  changed since the last completed checkpoint the backend was told of)
 * @param sections  the kernel's writer of key-group sections, for backends that store sections
 */
public record SnapshotRequest(long checkpointId, boolean savepoint, SnapshotStreams streams, KeyGroupSectionWriter sections) {
}
