package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SnapshotStorage} must do. Extend it and return a fresh, empty storage from
 * {@link #createStorage()} (started against a real server for object stores).
 */
public abstract class SnapshotStorageConformanceTest {

    protected SnapshotStorage storage;

    protected abstract SnapshotStorage createStorage() throws Exception;

    @BeforeEach
    void open() throws Exception {
        storage = createStorage();
    }

    @AfterEach
    void close() throws Exception {
        storage.close();
    }

    private void write(String path, byte[] bytes) throws IOException {
        try (OutputStream out = storage.create(path)) {
            out.write(bytes);
        }
    }

    private byte[] read(String path, long offset, long length) throws IOException {
        try (InputStream in = storage.openRange(path, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void writtenBytesReadBackWholeAndInRanges() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        write("job/chk-1/op/0/state.bin", data);

        assertThat(storage.exists("job/chk-1/op/0/state.bin")).isTrue();
        assertThat(storage.size("job/chk-1/op/0/state.bin")).isEqualTo(data.length);
        assertThat(read("job/chk-1/op/0/state.bin", 0, -1)).isEqualTo(data);
        byte[] middle = read("job/chk-1/op/0/state.bin", 1_000_000, 12_345);
        assertThat(middle).isEqualTo(java.util.Arrays.copyOfRange(data, 1_000_000, 1_012_345));
        assertThat(read("job/chk-1/op/0/state.bin", data.length - 5, -1)).hasSize(5);
    }

    @Test
    void anObjectIsInvisibleUntilItsStreamIsClosed() throws Exception {
        OutputStream out = storage.create("job/chk-2/file");
        out.write("partial".getBytes(StandardCharsets.UTF_8));
        assertThat(storage.exists("job/chk-2/file")).isFalse();
        assertThat(storage.list("job/")).doesNotContain("job/chk-2/file");
        out.close();
        assertThat(storage.list("job/")).containsExactly("job/chk-2/file");
    }

    @Test
    void listFindsEverythingUnderAPrefixSortedAndNothingElse() throws Exception {
        write("job/chk-1/a", new byte[]{1});
        write("job/chk-1/sub/b", new byte[]{2});
        write("job/chk-10/c", new byte[]{3});
        write("other/d", new byte[]{4});
        assertThat(storage.list("job/chk-1/")).containsExactly("job/chk-1/a", "job/chk-1/sub/b");
        assertThat(storage.list("job/chk-1")).containsExactly("job/chk-1/a", "job/chk-1/sub/b", "job/chk-10/c");
        assertThat(storage.list("missing/")).isEmpty();
    }

    @Test
    void deleteRemovesOneObjectAndReportsWhetherItExisted() throws Exception {
        write("job/x", new byte[]{1});
        write("job/y", new byte[]{2});
        assertThat(storage.delete("job/x")).isTrue();
        assertThat(storage.delete("job/x")).isFalse();
        assertThat(storage.list("job/")).containsExactly("job/y");
    }

    @Test
    void deleteAllRemovesManyObjectsAndSkipsMissingOnes() throws Exception {
        java.util.List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            paths.add("job/chk-" + (i % 3) + "/f" + i);
            write(paths.get(i), new byte[]{(byte) i});
        }
        write("job/keep", new byte[]{1});
        paths.add("job/never-written");
        storage.deleteAll(paths);
        assertThat(storage.list("job/")).containsExactly("job/keep");
        storage.deleteAll(java.util.List.of());
    }

    @Test
    void metadataCommitIsWriteOnce() throws Exception {
        storage.commitMetadata("job/chk-3/_metadata", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> storage.commitMetadata("job/chk-3/_metadata", "{\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(new String(read("job/chk-3/_metadata", 0, -1), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void createRefusesToOverwrite() throws Exception {
        write("job/f", new byte[]{1});
        assertThatThrownBy(() -> write("job/f", new byte[]{2})).isInstanceOf(IOException.class);
        assertThat(read("job/f", 0, -1)).containsExactly(1);
    }

    @Test
    void pathsThatLeaveTheRootAreRejected() {
        for (String bad : new String[]{"../escape", "job/../../escape", "/absolute", "job//double", "job/./x", "a\\b"}) {
            assertThatThrownBy(() -> storage.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
            assertThatThrownBy(() -> storage.openRange(bad, 0, -1)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void describeNamesTheStorageWithoutSecrets() {
        assertThat(storage.describe()).isNotBlank().doesNotContainIgnoringCase("secret").doesNotContainIgnoringCase("password");
    }
}
