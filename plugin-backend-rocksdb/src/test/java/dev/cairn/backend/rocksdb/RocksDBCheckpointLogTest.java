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
import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synchronous part of a native checkpoint only switches memtables; the asynchronous part takes
 * the flushed files, or the carried write-ahead log when a later write was flushed first.
 */
class RocksDBCheckpointLogTest {

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
            assertThat(localNames(chk)).as("files of the checkpoint").anyMatch(n -> n.endsWith(".sst")).noneMatch(n -> n.contains(".log"));
            assertRestores(storage, chk, "a", "elsewhere");
        }
    }

    @Test
    void aCheckpointWhoseFlushALaterWriteOvertookCarriesTheLogAndRestoresOnlyItsOwnWrites() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = harness(storage, "work", RestoreContext.NONE)) {
            write(h, "a");
            h.snapshot(1, true);
            write(h, "b");
            AsyncSnapshot second = h.startSnapshot(2, true);
            // after the synchronous part: later writes, switched and flushed before the asynchronous part runs
            write(h, "c");
            ((RocksDBKeyedStateBackend<?>) h.backend).flushAll();
            KeyedStateHandle chk = second.write();
            h.backend.notifyCheckpointComplete(2);

            assertThat(localNames(chk)).as("files of the checkpoint").anyMatch(n -> n.contains(".log@"));
            assertRestores(storage, chk, "b", "elsewhere");
            // the local copy holds the same log bytes
            assertRestores(storage, chk, "b", "work");
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

    /** Where each stored file goes: a local name, or {@code name@offset+length} for a piece of a log. */
    private static List<String> localNames(KeyedStateHandle handle) {
        return ((NativeFilesHandle) handle).files().stream()
                .map(f -> f.piece() ? f.localName() + "@" + f.pieceOffset() + "+" + f.pieceLength() : f.localName()).toList();
    }
}
