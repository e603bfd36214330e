package dev.cairn.backend.changelog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the changelog adds to the conformance kit: what a checkpoint costs, what a materialisation drops, damaged logs. */
class ChangelogBackendTest {
    private static final ChangelogDecorator CHANGELOG = new ChangelogDecorator();
    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 20_000;

    @TempDir
    Path temp;
    private LocalFileStorage storage;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<BackendHarness> open = new java.util.ArrayList<>();

    @BeforeEach
    void openStorage() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
    }

    @AfterEach
    void close() {
        open.forEach(BackendHarness::close);
    }

    private BackendHarness harness(ChangelogSettings settings, List<KeyedStateHandle> restoreFrom, boolean owned) throws Exception {
        StateBackend backend = CHANGELOG.wrap(new HeapStateBackend(), settings);
        BackendHarness h = new BackendHarness(backend, storage, ALL, Files.createTempDirectory(temp, "work"), clock,
                restoreFrom.isEmpty() ? dev.cairn.spi.backend.RestoreContext.NONE : BackendHarness.restoreFrom(storage, restoreFrom, owned));
        open.add(h);
        return h;
    }

    private static ChangelogSettings logOnly() {
        return new ChangelogSettings(Duration.ofHours(1), 16 * 1024, Duration.ofHours(1), 8 * 1024 * 1024, 0);
    }

    private static ValueState<String> value(BackendHarness h) throws Exception {
        return h.states.getState(new ValueStateDescriptor<>("v", Serializers.STRING));
    }

    private static void put(BackendHarness h, ValueState<String> s, Map<Long, String> model, long key, String v) throws Exception {
        h.key(key);
        s.update(v);
        model.put(key, v);
    }

    private static void assertHolds(BackendHarness h, Map<Long, String> model) throws Exception {
        ValueState<String> s = value(h);
        for (Map.Entry<Long, String> e : model.entrySet()) {
            h.key(e.getKey());
            assertThat(s.value()).as("key %d", e.getKey()).isEqualTo(e.getValue());
        }
    }

    private static long bytes(List<FileRef> files) {
        return files.stream().mapToLong(FileRef::size).sum();
    }

    private static Set<String> paths(KeyedStateHandle h) {
        return h.storedFiles().stream().map(FileRef::path).collect(Collectors.toSet());
    }

    @Test
    void aCheckpointWritesTheChangesSinceTheLastOneWhateverTheStateHolds() throws Exception {
        BackendHarness h = harness(logOnly(), List.of(), true);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < KEYS; k++) {
            put(h, s, model, k, "value-" + k);
        }
        ChangelogHandle first = (ChangelogHandle) h.snapshot(1, true);
        for (long k = 0; k < 10; k++) {
            put(h, s, model, k * 1000, "changed-" + k);
        }
        ChangelogHandle second = (ChangelogHandle) h.snapshot(2, true);

        Set<String> before = paths(first);
        long written = second.storedFiles().stream().filter(f -> !before.contains(f.path())).mapToLong(FileRef::size).sum();
        assertThat(bytes(first.storedFiles())).as("the first checkpoint logs every key").isGreaterThan(KEYS * 10L);
        assertThat(written).as("the second writes only its ten changes").isGreaterThan(0).isLessThan(2_000);
        assertThat(second.materialized()).as("nothing materialised yet").isEmpty();

        assertHolds(restore(List.of(second), logOnly()), model);
    }

    private BackendHarness restore(List<KeyedStateHandle> handles, ChangelogSettings settings) throws Exception {
        return harness(settings, handles, true);
    }

    @Test
    void aFinishedMaterialisationReplacesTheLogBeforeItAndReleasesWhatOnlyThatLogNeeded() throws Exception {
        ChangelogSettings everyCheckpoint = new ChangelogSettings(Duration.ZERO, 16 * 1024, Duration.ofHours(1), 8 * 1024 * 1024, 0);
        BackendHarness h = harness(everyCheckpoint, List.of(), true);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < KEYS; k++) {
            put(h, s, model, k, "value-" + k);
        }
        ChangelogHandle first = (ChangelogHandle) h.snapshot(1, true); // starts a materialisation of everything so far
        ((ChangelogKeyedStateBackend<?>) h.backend).awaitMaterialization();
        put(h, s, model, 7, "after");
        ChangelogHandle second = (ChangelogHandle) h.snapshot(2, true);

        assertThat(first.materialized()).isEmpty();
        assertThat(second.materialized()).as("built on the materialisation").hasSize(1);
        assertThat(second.changes()).as("only the change after it is logged").hasSize(1);
        assertThat(h.background.released.stream().map(FileRef::path).toList())
                .as("the first checkpoint's log, released once the second completed")
                .containsExactlyInAnyOrderElementsOf(first.changeFiles().stream().map(FileRef::path).toList());

        assertHolds(restore(List.of(second), everyCheckpoint), model);
    }

    @Test
    void aLogThatOutgrowsItsShareOfTheBaseStartsAMaterialisationBeforeTheInterval() throws Exception {
        ChangelogSettings atHalf = new ChangelogSettings(Duration.ofHours(1), 16 * 1024, Duration.ofHours(1), 8 * 1024 * 1024, 0, 50);
        BackendHarness h = harness(atHalf, List.of(), true);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < KEYS; k++) {
            put(h, s, model, k, "value-" + k);
        }
        h.snapshot(1, true); // a log beside an empty base: a materialisation starts
        ((ChangelogKeyedStateBackend<?>) h.backend).awaitMaterialization();
        ChangelogHandle second = (ChangelogHandle) h.snapshot(2, true);
        assertThat(second.materialized()).hasSize(1);
        long baseBytes = second.materialized().get(0).storedFiles().stream().mapToLong(FileRef::size).sum();
        assertThat(baseBytes).isPositive();

        for (long k = 0; k < KEYS / 10; k++) {
            put(h, s, model, k, "small-" + k); // a log of about a tenth of the base
        }
        h.snapshot(3, true);
        ((ChangelogKeyedStateBackend<?>) h.backend).awaitMaterialization();
        ChangelogHandle fourth = (ChangelogHandle) h.snapshot(4, true);
        assertThat(fourth.materialized()).as("a tenth is below half: no materialisation").isEqualTo(second.materialized());

        for (long k = 0; k < KEYS; k++) {
            put(h, s, model, k, "round-" + k); // every key again: a log about the base's size
        }
        h.snapshot(5, true); // the log holds more than half the base: a materialisation starts
        ((ChangelogKeyedStateBackend<?>) h.backend).awaitMaterialization();
        put(h, s, model, 2, "y");
        ChangelogHandle sixth = (ChangelogHandle) h.snapshot(6, true);

        assertThat(sixth.materialized()).as("built on a new materialisation, long before the interval").isNotEqualTo(second.materialized());
        assertThat(sixth.changes()).as("only the change after it is logged").hasSize(1);
        assertHolds(restore(List.of(sixth), atHalf), model);
    }

    @Test
    void anIdleSubtaskWithNoStateDoesNotMaterialiseAtEveryCheckpoint() throws Exception {
        ChangelogSettings atHalf = new ChangelogSettings(Duration.ofHours(1), 16 * 1024, Duration.ofHours(1), 8 * 1024 * 1024, 0, 50);
        BackendHarness h = harness(atHalf, List.of(), true);
        value(h);
        h.snapshot(1, true);
        ((ChangelogKeyedStateBackend<?>) h.backend).awaitMaterialization();
        ChangelogHandle second = (ChangelogHandle) h.snapshot(2, true);

        assertThat(second.materialized()).as("an empty log beside an empty base starts nothing").isEmpty();
    }

    @Test
    void aRestoreThatDoesNotOwnItsSnapshotMaterialisesInItsFirstCheckpoint() throws Exception {
        BackendHarness h = harness(logOnly(), List.of(), true);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < 1_000; k++) {
            put(h, s, model, k, "value-" + k);
        }
        ChangelogHandle source = (ChangelogHandle) h.snapshot(1, true);

        BackendHarness r = harness(logOnly(), List.of(source), false);
        assertHolds(r, model);
        ValueState<String> rs = value(r);
        put(r, rs, model, 5, "new");
        ChangelogHandle next = (ChangelogHandle) r.snapshot(2, true);
        assertThat(next.changes()).isEmpty();
        assertThat(next.materialized()).hasSize(1);
        assertThat(paths(next)).as("references nothing of the snapshot it does not own").doesNotContainAnyElementsOf(paths(source));
        assertHolds(restore(List.of(next), logOnly()), model);
    }

    @Test
    void aFlippedByteInTheLogIsReportedWithTheFileAndItsChecksum() throws Exception {
        BackendHarness h = harness(logOnly(), List.of(), true);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < 1_000; k++) {
            put(h, s, model, k, "value-" + k);
        }
        ChangelogHandle handle = (ChangelogHandle) h.snapshot(1, true);
        String file = handle.changeFiles().get(0).path();
        Path onDisk = temp.resolve("storage").resolve(BackendHarness.JOB).resolve(file);
        try (RandomAccessFile raf = new RandomAccessFile(onDisk.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x40);
        }
        assertThatThrownBy(() -> restore(List.of(handle), logOnly()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(file)
                .hasMessageContaining("CRC32C");
    }

    @Test
    void settingsRefuseWhatIsNotAllowedNamingThePropertyAndTheValue() {
        assertThatThrownBy(() -> ChangelogSettings.of(Map.of("materialization-interval", "soon")))
                .hasMessageContaining("materialization-interval=soon is not allowed").hasMessageContaining("10ms");
        assertThatThrownBy(() -> ChangelogSettings.of(Map.of("upload-batch-kb", "0")))
                .hasMessageContaining("upload-batch-kb=0 is not allowed").hasMessageContaining("from 1 to");
        assertThatThrownBy(() -> ChangelogSettings.of(Map.of("memory-limit-mb", 1, "upload-batch-kb", 1024)))
                .hasMessageContaining("memory-limit-mb=1 is not allowed").hasMessageContaining("twice upload-batch-kb");
        assertThatThrownBy(() -> ChangelogSettings.of(Map.of("materialization-log-percent", "-1")))
                .hasMessageContaining("materialization-log-percent=-1 is not allowed").hasMessageContaining("from 0 to 10000");
        assertThat(ChangelogSettings.of(Map.of("materialization-interval", "30s", "upload-delay", "0ms")))
                .isEqualTo(new ChangelogSettings(Duration.ofSeconds(30), 512 * 1024, Duration.ZERO, 64L * 1024 * 1024, 3, 50));
    }

    @Test
    void batchesOfSubtasksWaitingTogetherShareOneFile() throws Exception {
        List<Runnable> uploads = new java.util.ArrayList<>();
        StateBackend shared = new ChangelogStateBackend(new HeapStateBackend(), logOnly(), uploads::add, Runnable::run);
        KeyGroupRange left = new KeyGroupRange(0, 63);
        KeyGroupRange right = new KeyGroupRange(64, 127);
        BackendHarness a = new BackendHarness(shared, storage, left, Files.createTempDirectory(temp, "a"), clock, dev.cairn.spi.backend.RestoreContext.NONE);
        BackendHarness b = new BackendHarness(shared, storage, right, Files.createTempDirectory(temp, "b"), clock, dev.cairn.spi.backend.RestoreContext.NONE);
        open.add(a);
        open.add(b);
        Map<Long, String> model = new HashMap<>();
        ValueState<String> sa = value(a);
        ValueState<String> sb = value(b);
        for (long k = 0; k < 2_000; k++) {
            boolean inLeft = left.contains(dev.cairn.spi.backend.KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM));
            put(inLeft ? a : b, inLeft ? sa : sb, model, k, "value-" + k);
        }
        dev.cairn.spi.backend.AsyncSnapshot first = a.startSnapshot(1, true);
        dev.cairn.spi.backend.AsyncSnapshot second = b.startSnapshot(1, true);
        assertThat(uploads).as("one upload for both subtasks' batches").hasSize(1);
        uploads.remove(0).run();
        ChangelogHandle ha = (ChangelogHandle) first.write();
        ChangelogHandle hb = (ChangelogHandle) second.write();
        assertThat(ha.changeFiles()).hasSize(1).isEqualTo(hb.changeFiles());
        assertThat(ha.changes()).allMatch(s -> left.contains(s.keyGroup())).isNotEmpty();
        assertThat(hb.changes()).allMatch(s -> right.contains(s.keyGroup())).isNotEmpty();

        BackendHarness merged = restore(List.of(ha, hb), logOnly());
        assertHolds(merged, model);
    }

    @Test
    void aSharedLogFileGoesOnlyOnceEveryOwnerReleasedItAndARestoredOneAtOnce() throws Exception {
        List<Runnable> pool = new java.util.ArrayList<>();
        GroupedUploads grouped = new GroupedUploads(pool::add, 0);
        BackendHarness h = harness(logOnly(), List.of(), true);
        Object one = new Object();
        Object two = new Object();
        java.util.concurrent.CompletableFuture<ChangeLog.Uploaded> first = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<ChangeLog.Uploaded> second = new java.util.concurrent.CompletableFuture<>();
        grouped.submit(new GroupedUploads.Batch(one, h.background, 0, records(3), List.of("v"), "one", first, () -> { }, null));
        grouped.submit(new GroupedUploads.Batch(two, h.background, 64, records(5), List.of("v"), "two", second, () -> { }, null));
        pool.remove(0).run();
        assertThat(pool).isEmpty();
        FileRef file = first.get().file();
        assertThat(second.get().file()).isEqualTo(file);
        assertThat(first.get().sections()).extracting(KeyGroupSectionRef::keyGroup).containsExactly(3);
        assertThat(second.get().sections()).extracting(KeyGroupSectionRef::keyGroup).containsExactly(69);

        grouped.release(one, List.of(file), h.background);
        assertThat(h.background.released).as("the other subtask still references it").isEmpty();
        grouped.release(two, List.of(file), h.background);
        assertThat(h.background.released).containsExactly(file);
        FileRef restored = new FileRef("shared/op/0/restored-changelog", 10, 1);
        grouped.release(one, List.of(restored), h.background);
        assertThat(h.background.released).containsExactly(file, restored);
    }

    /** Records in one key group ({@code local}) of a batch. */
    private static dev.cairn.api.serialization.ByteArrayDataOutput[] records(int local) {
        dev.cairn.api.serialization.ByteArrayDataOutput[] r = new dev.cairn.api.serialization.ByteArrayDataOutput[64];
        r[local] = new dev.cairn.api.serialization.ByteArrayDataOutput(8);
        r[local].write(ChangeRecords.CLEAR);
        return r;
    }

    private interface KeyGroupSectionRef {
        static int keyGroup(dev.cairn.spi.snapshot.KeyGroupSection s) {
            return s.keyGroup();
        }
    }

    @Test
    void aRestoreInTheSameWorkingDirectoryReadsTheLogFromItsLocalCopy() throws Exception {
        Path work = Files.createTempDirectory(temp, "work");
        BackendHarness h = new BackendHarness(CHANGELOG.wrap(new HeapStateBackend(), logOnly()), storage, ALL, work, clock,
                dev.cairn.spi.backend.RestoreContext.NONE);
        ValueState<String> s = value(h);
        Map<Long, String> model = new HashMap<>();
        for (long k = 0; k < 1_000; k++) {
            put(h, s, model, k, "value-" + k);
        }
        ChangelogHandle handle = (ChangelogHandle) h.snapshot(1, true);
        h.close();
        String file = handle.changeFiles().get(0).path();
        Files.delete(temp.resolve("storage").resolve(BackendHarness.JOB).resolve(file)); // only the local copy has the log now

        BackendHarness again = new BackendHarness(CHANGELOG.wrap(new HeapStateBackend(), logOnly()), storage, ALL, work, clock,
                BackendHarness.restoreFrom(storage, List.of(handle), true));
        open.add(again);
        assertHolds(again, model);
        assertThatThrownBy(() -> harness(logOnly(), List.of(handle), true)).as("elsewhere the log comes from storage")
                .hasMessageContaining(file);
    }
}
