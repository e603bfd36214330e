package dev.cairn.example.storage;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.SnapshotStorageConformanceTest;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin proves itself by passing the kernel's conformance kit: extend it and hand it a fresh storage. */
class FlatDirectoryStorageConformanceTest extends SnapshotStorageConformanceTest {

    @TempDir
    Path directory;

    @Override
    protected SnapshotStorage createStorage() throws Exception {
        return new FlatDirectoryStorageProvider().open(Map.of("directory", directory.toString()));
    }

    @Test
    void aRelativeDirectoryIsRefusedNamingTheProperty() {
        assertThatThrownBy(() -> new FlatDirectoryStorageProvider().open(Map.of("directory", "relative/dir")))
                .hasMessageContaining("storage.directory").hasMessageContaining("relative/dir").hasMessageContaining("absolute");
        assertThatThrownBy(() -> new FlatDirectoryStorageProvider().open(Map.of("directory", "/tmp/x", "bucket", "b")))
                .hasMessageContaining("storage.bucket").hasMessageContaining("not known");
    }
}
