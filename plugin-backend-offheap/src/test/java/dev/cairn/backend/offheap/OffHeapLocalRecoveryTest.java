package dev.cairn.backend.offheap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After a failure, a subtask restores its last checkpoint from the copies in its working directory, and from storage what they lack. */
class OffHeapLocalRecoveryTest {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 5_000;

    @TempDir
    Path temp;
    private LocalFileStorage storage;
    private Path work;
    private final Map<Long, String> values = new HashMap<>();

    @BeforeEach
    void open() throws IOException {
        storage = new LocalFileStorage(temp.resolve("storage"));
        work = Files.createDirectories(temp.resolve("work"));
    }

    /** Reads from storage, counting the sections it is asked for. */
    private static final class CountingReader implements SnapshotReader {
        final SnapshotReader stored;
        final AtomicInteger sections = new AtomicInteger();

        CountingReader(SnapshotReader stored) {
            this.stored = stored;
        }

        @Override
        public byte[] readSection(KeyGroupSection section) throws IOException {
            sections.incrementAndGet();
            return stored.readSection(section);
        }

        @Override
        public List<byte[]> readSections(List<KeyGroupSection> list) throws IOException {
            sections.addAndGet(list.size());
            return stored.readSections(list);
        }

        @Override
        public byte[] readFile(FileRef file) throws IOException {
            return stored.readFile(file);
        }
    }

    /** Two checkpoints (a whole one, then deltas) of a backend with {@code plugin}, both completed; returns the second. */
    private KeyedStateHandle twoCheckpoints(OffHeapStateBackend plugin) throws Exception {
        try (BackendHarness h = new BackendHarness(plugin, storage, ALL, work, new AtomicLong(1), RestoreContext.NONE)) {
            ValueState<String> value = h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            for (long k = 0; k < KEYS; k++) {
                h.key(k);
                value.update("v" + k);
                values.put(k, "v" + k);
            }
            h.snapshot(1, true);
            for (long k = 0; k < KEYS; k += 97) {
                h.key(k);
                value.update("changed " + k);
                values.put(k, "changed " + k);
            }
            return h.snapshot(2, true);
        } // the failure: the backend goes, its working directory stays
    }

    private int restoreAndCount(OffHeapStateBackend plugin, KeyedStateHandle handle) throws Exception {
        CountingReader reader = new CountingReader(BackendHarness.reader(storage));
        try (BackendHarness r = new BackendHarness(plugin, storage, ALL, work, new AtomicLong(1),
                BackendHarness.restoreFrom(List.of(handle), reader, true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            ValueState<String> value = r.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            for (long k = 0; k < KEYS; k++) {
                r.key(k);
                assertThat(value.value()).as("key %s", k).isEqualTo(values.get(k));
            }
        }
        return reader.sections.get();
    }

    private List<Path> copies() throws IOException {
        Path dir = work.resolve(OffHeapStateBackend.LOCAL_COPIES);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    @Test
    void aRestoreAfterAFailureReadsNoSectionFromStorage() throws Exception {
        OffHeapStateBackend plugin = new OffHeapStateBackend();
        KeyedStateHandle second = twoCheckpoints(plugin);
        assertThat(copies()).as("copies of the files checkpoint 2 references").hasSize(second.storedFiles().size());
        assertThat(restoreAndCount(plugin, second)).as("sections read from storage").isZero();
        assertThat(plugin.metrics()).containsEntry("restored-sections-fetched", 0L).containsKey("restored-sections-local");
        assertThat(plugin.metrics().get("restored-sections-local")).isGreaterThanOrEqualTo(BackendHarness.MAX_PARALLELISM);
    }

    @Test
    void aDamagedCopyIsReadFromStorageInstead() throws Exception {
        KeyedStateHandle second = twoCheckpoints(new OffHeapStateBackend());
        Path damaged = copies().get(0);
        try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        assertThat(restoreAndCount(new OffHeapStateBackend(), second)).as("sections read from storage").isEqualTo(1);
    }

    @Test
    void withLocalRecoveryOffNothingIsCopiedAndEverySectionComesFromStorage() throws Exception {
        OffHeapStateBackend off = new OffHeapStateBackend(Map.of("local-recovery", "false"));
        KeyedStateHandle second = twoCheckpoints(off);
        assertThat(copies()).isEmpty();
        assertThat(restoreAndCount(off, second)).as("sections read from storage").isGreaterThanOrEqualTo(BackendHarness.MAX_PARALLELISM);
    }

    @Test
    void aCopyThatCannotBeWrittenCostsTheCheckpointNothing() throws Exception {
        Files.writeString(work.resolve(OffHeapStateBackend.LOCAL_COPIES), "a file where the copies' directory would be");
        KeyedStateHandle second = twoCheckpoints(new OffHeapStateBackend());
        assertThat(restoreAndCount(new OffHeapStateBackend(), second)).as("sections read from storage").isGreaterThanOrEqualTo(BackendHarness.MAX_PARALLELISM);
    }

    @Test
    void aCheckpointThatCompletesDropsTheCopiesNoCheckpointReferencesAnyMore() throws Exception {
        try (BackendHarness h = new BackendHarness(new OffHeapStateBackend(), storage, ALL, work, new AtomicLong(1), RestoreContext.NONE)) {
            ValueState<String> value = h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            KeyedStateHandle last = null;
            for (int checkpoint = 1; checkpoint <= 4; checkpoint++) {
                for (long k = 0; k < KEYS; k++) { // every key: each checkpoint writes every key group whole
                    h.key(k);
                    value.update("v" + checkpoint + "-" + k);
                }
                last = h.snapshot(checkpoint, true);
            }
            assertThat(last.storedFiles()).hasSize(1);
            assertThat(copies()).hasSize(1);
        }
    }
}
