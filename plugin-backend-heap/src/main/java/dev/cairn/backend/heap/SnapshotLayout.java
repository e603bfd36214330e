package dev.cairn.backend.heap;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.util.Map;

/**
 * Where each key group's bytes are in a completed snapshot, as seen at snapshot version
 * {@code version}: the base an incremental snapshot references for unchanged key groups.
 */
record SnapshotLayout(int version, Map<Integer, KeyGroupSection> sections, Map<String, FileRef> files) {
}
