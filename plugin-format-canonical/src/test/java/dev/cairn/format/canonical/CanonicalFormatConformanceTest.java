package dev.cairn.format.canonical;

import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.backend.rocksdb.RocksDBStateBackend;
import dev.cairn.conformance.SnapshotFormatConformanceTest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.util.List;

/** Canonical savepoints cross between heap and RocksDB in every direction. */
class CanonicalFormatConformanceTest extends SnapshotFormatConformanceTest {

    private static final List<StateBackend> BACKENDS = List.of(new HeapStateBackend(), new RocksDBStateBackend());

    @Override
    protected SnapshotFormat format() {
        return new CanonicalFormat();
    }

    @Override
    protected List<StateBackend> backends() {
        return BACKENDS;
    }
}
