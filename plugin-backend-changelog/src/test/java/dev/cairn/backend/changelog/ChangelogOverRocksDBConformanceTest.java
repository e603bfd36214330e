package dev.cairn.backend.changelog;

import dev.cairn.backend.rocksdb.RocksDBStateBackend;
import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.time.Duration;

/** The changelog over the RocksDB backend, a background materialisation due at every checkpoint. */
class ChangelogOverRocksDBConformanceTest extends StateBackendConformanceTest {
    private static final ChangelogDecorator CHANGELOG = new ChangelogDecorator();
    private static final RocksDBStateBackend ROCKSDB = new RocksDBStateBackend();
    private static final ChangelogSettings MATERIALIZING = new ChangelogSettings(Duration.ZERO, 4 * 1024, Duration.ofMillis(10),
            1024 * 1024, 0);

    @Override
    protected StateBackend backend() {
        return CHANGELOG.wrap(ROCKSDB, MATERIALIZING);
    }

    @Override
    protected long bytesWrittenFor(KeyedStateHandle second, KeyedStateHandle first) {
        return MaterializingConformance.logBytesWrittenFor(second, first);
    }
}
