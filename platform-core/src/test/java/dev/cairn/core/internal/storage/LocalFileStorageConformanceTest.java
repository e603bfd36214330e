package dev.cairn.core.internal.storage;

import dev.cairn.conformance.SnapshotStorageConformanceTest;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalFileStorageConformanceTest extends SnapshotStorageConformanceTest {

    @TempDir
    Path root;

    @Override
    protected SnapshotStorage createStorage() throws Exception {
        return new LocalFileStorageProvider().open(java.util.Map.of("root", root.toString()));
    }
}
