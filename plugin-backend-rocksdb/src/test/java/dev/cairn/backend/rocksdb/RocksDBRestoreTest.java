package dev.cairn.backend.rocksdb;

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
import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restoring a native checkpoint: opened in place, from the local copy when valid, its files reused by the next checkpoint. */
class RocksDBRestoreTest {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 20_000;

    @TempDir
    Path temp;
    private LocalFileStorage storage;
    private Path work;
    private KeyedStateHandle checkpoint;

    /** A subtask that wrote KEYS values and completed two checkpoints, then went away. */
    @BeforeEach
    void writeAndCheckpoint() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
        work = temp.resolve("work");
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, work, new AtomicLong(), RestoreContext.NONE)) {
            ValueState<String> state = state(h);
            for (long k = 0; k < KEYS; k++) {
                h.key(k);
                state.update("v1-" + k);
            }
            h.snapshot(1, true);
            for (long k = 0; k < KEYS; k += 10) {
                h.key(k);
                state.update("v2-" + k);
            }
            checkpoint = h.snapshot(2, true);
        }
    }

    @Test
    void aRestartInTheSameWorkingDirectoryRestoresFromTheLocalCopyWithoutFetching() throws Exception {
        CountingReader reads = new CountingReader(BackendHarness.restoreFrom(storage, List.of(checkpoint), true).reader());
        RocksDBStateBackend plugin = new RocksDBStateBackend();
        try (BackendHarness h = new BackendHarness(plugin, storage, ALL, work, new AtomicLong(), BackendHarness.restoreFrom(List.of(checkpoint), reads, true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            assertEveryValue(h);
        }
        assertThat(reads.files.get()).as("files fetched from storage").isZero();
        assertThat(plugin.metrics()).containsEntry("restores-from-local-copy", 1L).containsEntry("restores-fetched", 0L);
    }

    @Test
    void aCheckpointWhoseCompletionTheTaskNeverHeardOfIsRestoredFromItsLocalCopyToo() throws Exception {
        KeyedStateHandle unconfirmed;
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, work, new AtomicLong(),
                BackendHarness.restoreFrom(storage, List.of(checkpoint), true))) {
            ValueState<String> state = state(h);
            h.key(3L);
            state.update("v3-3");
            unconfirmed = h.startSnapshot(3, true).write(); // the task fails before notifyCheckpointComplete(3)
        }
        CountingReader reads = new CountingReader(BackendHarness.restoreFrom(storage, List.of(unconfirmed), true).reader());
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, work, new AtomicLong(),
                BackendHarness.restoreFrom(List.of(unconfirmed), reads, true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            ValueState<String> state = state(h);
            h.key(3L);
            assertThat(state.value()).isEqualTo("v3-3");
            h.key(4L);
            assertThat(state.value()).isEqualTo(expected(4));
        }
        assertThat(reads.files.get()).as("files fetched from storage").isZero();
    }

    @Test
    void aDamagedLocalCopyIsNotUsedAndTheRestoreFetchesFromStorage() throws Exception {
        Path sst;
        try (Stream<Path> files = Files.walk(work.resolve("local-recovery"))) {
            sst = files.filter(p -> p.toString().endsWith(".sst")).findFirst().orElseThrow();
        }
        try (FileChannel ch = FileChannel.open(sst, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, 100);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            ch.write(b.rewind(), 100);
        }
        CountingReader reads = new CountingReader(BackendHarness.restoreFrom(storage, List.of(checkpoint), true).reader());
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, work, new AtomicLong(),
                BackendHarness.restoreFrom(List.of(checkpoint), reads, true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            assertEveryValue(h);
        }
        assertThat(reads.files.get()).as("files fetched from storage").isEqualTo(checkpoint.storedFiles().size());
    }

    @Test
    void aRestoreElsewhereFetchesEveryFile() throws Exception {
        CountingReader reads = new CountingReader(BackendHarness.restoreFrom(storage, List.of(checkpoint), true).reader());
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(Map.of("local-recovery", "false")), storage, ALL, work, new AtomicLong(),
                BackendHarness.restoreFrom(List.of(checkpoint), reads, true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            assertEveryValue(h);
        }
        assertThat(reads.files.get()).as("files fetched from storage with local recovery off").isEqualTo(checkpoint.storedFiles().size());
    }

    @Test
    void aRestoreFromLocalStorageLinksTheStoredSstFilesAndNeverChangesThem() throws Exception {
        Path elsewhere = temp.resolve("elsewhere");
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(Map.of("local-recovery", "false")), storage, ALL, elsewhere,
                new AtomicLong(), BackendHarness.restoreFrom(storage, List.of(checkpoint), true))) {
            Path db;
            try (Stream<Path> dirs = Files.list(elsewhere)) {
                db = dirs.filter(d -> d.getFileName().toString().startsWith("rocksdb-") && !d.getFileName().toString().contains("-chk-"))
                        .findFirst().orElseThrow();
            }
            int linked = 0;
            for (CheckpointFiles.Placement p : CheckpointFiles.placements((NativeFilesHandle) checkpoint)) {
                Path stored = storage.resolve(BackendHarness.JOB + "/" + p.file().path());
                Path restored = db.resolve(p.name());
                if (p.name().endsWith(".sst")) {
                    assertThat(Files.isSameFile(stored, restored)).as("%s linked to %s", restored, stored).isTrue();
                    linked++;
                } else if (Files.exists(restored)) {
                    assertThat(Files.isSameFile(stored, restored)).as("%s is a copy: RocksDB may append to it", restored).isFalse();
                }
            }
            assertThat(linked).isPositive();
            // new writes, a compaction that replaces the linked files, and a checkpoint
            ValueState<String> state = state(h);
            for (long k = 0; k < KEYS; k += 3) {
                h.key(k);
                state.update("v3-" + k);
            }
            RocksDBKeyedStateBackend<?> rocks = (RocksDBKeyedStateBackend<?>) h.backend;
            rocks.flushAll();
            for (RocksState st : rocks.states().values()) {
                rocks.db().compactRange(st.columnFamily);
            }
            h.snapshot(3, true);
        }
        for (FileRef f : checkpoint.storedFiles()) {
            CRC32C crc = new CRC32C();
            crc.update(Files.readAllBytes(storage.resolve(BackendHarness.JOB + "/" + f.path())));
            assertThat(crc.getValue()).as("stored %s after the restored database compacted and closed", f.path()).isEqualTo(f.crc32c());
        }
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(Map.of("local-recovery", "false")), storage, ALL, temp.resolve("again"),
                new AtomicLong(), BackendHarness.restoreFrom(storage, List.of(checkpoint), true))) {
            assertEveryValue(h);
        }
    }

    @Test
    void theFirstCheckpointAfterARestoreReusesTheRestoredFilesUnlessNoClaim() throws Exception {
        long restoredSsts = checkpoint.storedFiles().stream().filter(f -> f.path().endsWith(".sst")).mapToLong(FileRef::size).sum();
        for (boolean reusable : new boolean[] {true, false}) {
            try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("reuse-" + reusable), new AtomicLong(),
                    BackendHarness.restoreFrom(storage, List.of(checkpoint), reusable))) {
                ValueState<String> state = state(h);
                h.key(7L);
                state.update("v3");
                KeyedStateHandle next = h.snapshot(reusable ? 3 : 4, true);
                long reused = next.storedFiles().stream().filter(checkpoint.storedFiles()::contains).mapToLong(FileRef::size).sum();
                if (reusable) {
                    assertThat(reused).as("bytes of restored SST files referenced again").isEqualTo(restoredSsts);
                    assertThat(next.storedFiles()).containsAll(checkpoint.storedFiles().stream().filter(f -> f.path().endsWith(".sst")).toList());
                } else {
                    assertThat(reused).as("bytes reused after a NO_CLAIM restore").isZero();
                    assertThat(next.storedFiles()).doesNotContainAnyElementsOf(checkpoint.storedFiles());
                }
            }
        }
    }

    @Test
    void aScaleOutOpensTheCheckpointAndKeepsOnlyItsOwnKeyGroups() throws Exception {
        KeyGroupRange lower = new KeyGroupRange(0, 63);
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, lower, temp.resolve("lower"), new AtomicLong(),
                BackendHarness.restoreFrom(storage, List.of(checkpoint), true))) {
            ValueState<String> state = state(h);
            int present = 0;
            for (long k = 0; k < KEYS; k++) {
                int kg = dev.cairn.spi.backend.KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM);
                if (lower.contains(kg)) {
                    h.key(k);
                    assertThat(state.value()).isEqualTo(expected(k));
                    present++;
                }
            }
            assertThat(present).isGreaterThan(KEYS / 3);
            long rows = 0;
            for (Long ignored : h.backend.keys("value", dev.cairn.api.serialization.VoidNamespace.INSTANCE)) {
                rows++;
            }
            assertThat(rows).as("keys left after clipping to " + lower).isEqualTo(present);
        }
    }

    private static String expected(long k) {
        return (k % 10 == 0 ? "v2-" : "v1-") + k;
    }

    private static void assertEveryValue(BackendHarness h) throws Exception {
        ValueState<String> state = state(h);
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            assertThat(state.value()).isEqualTo(expected(k));
        }
    }

    private static ValueState<String> state(BackendHarness h) throws Exception {
        return h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
    }

    private static final class CountingReader implements SnapshotReader {
        private final SnapshotReader inner;
        final AtomicInteger files = new AtomicInteger();

        CountingReader(SnapshotReader inner) {
            this.inner = inner;
        }

        @Override
        public byte[] readSection(KeyGroupSection section) throws IOException {
            return inner.readSection(section);
        }

        @Override
        public byte[] readFile(FileRef file) throws IOException {
            files.incrementAndGet();
            return inner.readFile(file);
        }
    }
}
