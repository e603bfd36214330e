package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(localNames(chk)).as("files of the checkpoint").anyMatch(n -> n.endsWith(".sst")).noneMatch(n -> n.endsWith(".log"));
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
            assertRestores(storage, chk, "b", "elsewhere");
            // the local copy is the same database
            assertRestores(storage, chk, "b", "work");

            // the next checkpoint builds on none of the copy's files, whose names mean nothing in the live database
            write(h, "d");
            KeyedStateHandle third = h.snapshot(3, true);
            assertThat(storedNames(third)).as("files it shares with the copy").doesNotContainAnyElementsOf(storedNames(chk));
            assertRestores(storage, third, "d", "after");
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
        return new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve(work), new AtomicLong(), restore);
    }

    private void assertRestores(LocalFileStorage storage, KeyedStateHandle chk, String version, String work) throws Exception {
        try (BackendHarness r = harness(storage, work, BackendHarness.restoreFrom(storage, List.of(chk), true))) {
            ValueState<String> state = state(r);
            for (long k = 0; k < KEYS; k++) {
                r.key(k);
                assertThat(state.value()).as("key %d restored in %s", k, work).isEqualTo(version + k);
            }
        }
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
