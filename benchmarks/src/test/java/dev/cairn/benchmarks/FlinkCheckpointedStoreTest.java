package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.time.Duration;

/** Runs in the Surefire execution without Cairn's RocksDB backend, as the benchmark's Flink forks do. */
class FlinkCheckpointedStoreTest extends CheckpointedStoreContract {
    @Override
    CheckpointedStore create(Path dir, Duration materializationInterval) throws Exception {
        return FlinkCheckpointedStore.create(dir, materializationInterval, pool);
    }
}
