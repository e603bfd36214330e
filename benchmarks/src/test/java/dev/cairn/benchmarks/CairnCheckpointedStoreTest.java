package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.time.Duration;

class CairnCheckpointedStoreTest extends CheckpointedStoreContract {
    @Override
    CheckpointedStore create(Path dir, Duration materializationInterval) throws Exception {
        return CairnCheckpointedStore.create(dir, materializationInterval);
    }
}
