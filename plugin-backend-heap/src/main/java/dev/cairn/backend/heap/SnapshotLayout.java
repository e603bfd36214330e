package dev.cairn.backend.heap;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.util.List;
import java.util.Map;

/**
 * Where each key group's bytes are in a completed snapshot, as seen at snapshot version
 * {@code version}: per key group a section with all its entries, then the deltas written over it
 * since. The base an incremental snapshot references for unchanged key groups and adds deltas to.
 */
record SnapshotLayout(int version, Map<Integer, List<KeyGroupSection>> sections, Map<String, FileRef> files) {
}
