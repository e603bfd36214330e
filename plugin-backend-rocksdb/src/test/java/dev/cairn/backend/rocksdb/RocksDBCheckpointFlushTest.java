package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFile;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synchronous part of a native checkpoint only switches memtables; the asynchronous part takes
 * the flushed files, or copies the whole database as the checkpoint saw it when a later write was
 * flushed first.
 */
class RocksDBCheckpointFlushTest {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 5_000;

    @TempDir
    Path temp;

    @Test
    void aCheckpointNothingOvertookHoldsTheFlushedFilesAndNoLog() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            KeyedStateHandle chk = h.snapshot(1, true);
            assertThat(localNames(chk)).as("files of the checkpoint").anyMatch(n -> n.endsWith(".sst"));
            assertThat(storedNames(chk)).as("files of the checkpoint").noneMatch(n -> n.contains("-whole"));
            assertRestores(storage, chk, "a", "elsewhere");
        }
    }

    @Test
    void aCheckpointWhoseFlushALaterWriteOvertookIsCopiedWholeAndRestoresOnlyItsOwnWrites() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            KeyedStateHandle first = h.snapshot(1, true);
            write(h, "b");
            AsyncSnapshot second = h.startSnapshot(2, true);
            // after the synchronous part: later writes, switched and flushed before the asynchronous part runs
            write(h, "c");
            ((RocksDBKeyedStateBackend<?>) h.backend).flushAll();
            KeyedStateHandle chk = second.write();
            h.backend.notifyCheckpointComplete(2);

            assertThat(storedNames(chk)).as("files of the checkpoint").allMatch(n -> !n.endsWith(".sst") || n.contains("-whole2-"));
            assertThat(storedNames(chk)).as("files it shares with the first checkpoint").doesNotContainAnyElementsOf(storedNames(first));
            assertThat(assertRestores(storage, chk, "b", "elsewhere")).as("restores from a local copy").isZero();
            // the local copy is the same database, and the restore takes it instead of fetching
            assertThat(assertRestores(storage, chk, "b", "work")).as("restores from a local copy").isOne();

            // the next checkpoint builds on none of the copy's files, whose names mean nothing in the live database
            write(h, "d");
            KeyedStateHandle third = h.snapshot(3, true);
            assertThat(storedNames(third)).as("files it shares with the copy").doesNotContainAnyElementsOf(storedNames(chk));
            assertRestores(storage, third, "d", "after");
        }
    }

    @Test
    void aStateCreatedBetweenTheTwoPartsIsLeftToTheNextCheckpoint() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            AsyncSnapshot first = h.startSnapshot(1, true);
            // the new state's column family reaches the MANIFEST at once, before the asynchronous part links it
            ValueState<String> later = h.states.getState(new ValueStateDescriptor<>("later", Serializers.STRING));
            h.key(1L);
            later.update("x");
            KeyedStateHandle chk = first.write();
            h.backend.notifyCheckpointComplete(1);
            assertThat(storedNames(chk)).as("files of the checkpoint").anyMatch(n -> n.contains("-whole1-"));
            assertRestores(storage, chk, "a", "elsewhere");
        }
    }

    @Test
    void pinnedSnapshotsAreReleasedAlsoWhenTheAsynchronousPartNeverRuns() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            h.snapshot(1, true);
            assertThat(pinnedSnapshots(h)).as("after a checkpoint").isZero();
            AsyncSnapshot pending = h.startSnapshot(2, true);
            AsyncSnapshot never = h.startSnapshot(3, true);
            assertThat(pinnedSnapshots(h)).as("between the two parts").isEqualTo(2);
            h.backend.notifyCheckpointAborted(3); // e.g. the task failed before handing the asynchronous part over
            assertThat(pinnedSnapshots(h)).as("after the abort: only the aborted checkpoint's pin goes").isOne();
            assertThat(pending.write()).isNotNull();
            h.backend.notifyCheckpointComplete(2);
            assertThat(pinnedSnapshots(h)).as("after the abort and the earlier checkpoint").isZero();
            assertThatThrownBy(never::write).hasMessageContaining("ended before its asynchronous part ran");
            AsyncSnapshot skipped = h.startSnapshot(4, true);
            h.snapshot(5, true); // completes, subsuming 4
            assertThat(pinnedSnapshots(h)).as("after a later checkpoint completed").isZero();
            assertThatThrownBy(skipped::write).hasMessageContaining("ended before its asynchronous part ran");
        }
    }

    @Test
    void aSavepointWhoseFlushALaterWriteOvertookIsCopiedWhole() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            AsyncSnapshot savepoint = h.startNativeSavepoint(1);
            write(h, "b");
            ((RocksDBKeyedStateBackend<?>) h.backend).flushAll();
            KeyedStateHandle handle = savepoint.write();
            assertThat(storedNames(handle)).as("files of the savepoint").anyMatch(n -> n.contains("-whole1-"));
            assertRestores(storage, handle, "a", "elsewhere");
        }
    }

    private BackendHarness harness(LocalFileStorage storage, String work, RestoreContext restore) throws Exception {
        return harness(new RocksDBStateBackend(), storage, work, restore);
    }

    private BackendHarness harness(RocksDBStateBackend plugin, LocalFileStorage storage, String work, RestoreContext restore) throws Exception {
        return new BackendHarness(plugin, storage, ALL, temp.resolve(work), new AtomicLong(), restore);
    }

    /** Restores {@code chk} in {@code work} and checks every key; returns how many restores took a local copy. */
    private long assertRestores(LocalFileStorage storage, KeyedStateHandle chk, String version, String work) throws Exception {
        RocksDBStateBackend plugin = new RocksDBStateBackend();
        try (BackendHarness r = harness(plugin, storage, work, BackendHarness.restoreFrom(storage, List.of(chk), true))) {
            ValueState<String> state = state(r);
            for (long k = 0; k < KEYS; k++) {
                r.key(k);
                assertThat(state.value()).as("key %d restored in %s", k, work).isEqualTo(version + k);
            }
            return plugin.metrics().get("restores-from-local-copy");
        }
    }

    private static long pinnedSnapshots(BackendHarness h) throws Exception {
        return ((RocksDBKeyedStateBackend<?>) h.backend).db().getLongProperty("rocksdb.num-snapshots");
    }

    private static void write(BackendHarness h, String version) throws Exception {
        ValueState<String> state = state(h);
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            state.update(version + k);
        }
    }

    private static ValueState<String> state(BackendHarness h) throws Exception {
        return h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
    }

    private static List<String> localNames(KeyedStateHandle handle) {
        return ((NativeFilesHandle) handle).files().stream().map(NativeFile::localName).toList();
    }

    private static List<String> storedNames(KeyedStateHandle handle) {
        return ((NativeFilesHandle) handle).files().stream().map(f -> f.stored().path()).toList();
    }
}
