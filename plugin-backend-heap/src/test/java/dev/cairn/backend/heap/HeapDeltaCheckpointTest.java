package dev.cairn.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental heap checkpoints write what changed, not the key groups it changed in: a few
 * changed keys cost a few entries' bytes, and chains of deltas stay short.
 */
class HeapDeltaCheckpointTest {

    private static final int KEYS = 20_000;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);

    @TempDir
    Path temp;
    private BackendHarness harness;

    @AfterEach
    void close() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aCheckpointAfterAFewChangesWritesOnlyThoseEntriesAndChainsStayBounded() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        harness = new BackendHarness(new HeapStateBackend(), storage, ALL, Files.createTempDirectory(temp, "work"), new AtomicLong(1), RestoreContext.NONE);
        ValueState<String> value = harness.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
        for (long k = 0; k < KEYS; k++) {
            harness.key(k);
            value.update("initial value of key " + k);
        }
        KeyedStateHandle previous = harness.snapshot(1, true);
        long whole = newBytes(previous, List.of());
        for (int checkpoint = 2; checkpoint <= 30; checkpoint++) {
            for (long k = checkpoint; k < KEYS; k += 1_000) { // 20 keys, in about as many key groups
                harness.key(k);
                value.update("changed at " + checkpoint);
            }
            harness.key(checkpoint * 7L);
            value.clear();
            KeyedStateHandle handle = harness.snapshot(checkpoint, true);
            long written = newBytes(handle, previous.storedFiles());
            assertThat(written).as("bytes checkpoint %s wrote after changing 21 of %s keys (whole state: %s bytes)", checkpoint, KEYS, whole)
                    .isLessThan(whole / 20); // without deltas: the ~20 key groups they are in, a sixth of it
            var sections = ((KeyGroupSectionsHandle) handle).sections();
            long longestChain = sections.stream().collect(java.util.stream.Collectors.groupingBy(s -> s.keyGroup(), java.util.stream.Collectors.counting()))
                    .values().stream().mapToLong(Long::longValue).max().orElse(0);
            assertThat(longestChain).as("sections of one key group at checkpoint %s", checkpoint).isLessThanOrEqualTo(1 + HeapSnapshotWriter.MAX_DELTAS);
            previous = handle;
        }
    }

    @Test
    void keysRemovedBetweenACheckpointsWriteAndItsCompletionStayRemoved() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        harness = new BackendHarness(new HeapStateBackend(), storage, ALL, Files.createTempDirectory(temp, "work"), new AtomicLong(1), RestoreContext.NONE);
        ValueState<String> value = harness.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
        // forty keys of one key group: their removals fill (and prune) one table's removal records several times
        List<Long> sameGroup = java.util.stream.LongStream.range(0, 100_000)
                .filter(k -> dev.cairn.spi.backend.KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM) == 7).limit(40).boxed().toList();
        for (long k = 0; k < 2_000; k++) {
            harness.key(k);
            value.update("v" + k);
        }
        for (long k : sameGroup) {
            harness.key(k);
            value.update("v" + k);
        }
        // the first checkpoint: written, not yet complete, so there is no base while the keys go
        harness.startSnapshot(1, true).write();
        for (long k : sameGroup.subList(0, 30)) {
            harness.key(k);
            value.clear();
        }
        harness.backend.notifyCheckpointComplete(1);
        KeyedStateHandle third = harness.snapshot(2, true);

        try (BackendHarness restored = new BackendHarness(new HeapStateBackend(), storage, ALL, Files.createTempDirectory(temp, "work"),
                new AtomicLong(1), BackendHarness.restoreFrom(List.of(third), BackendHarness.reader(storage), true, ALL,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            ValueState<String> r = restored.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            for (int i = 0; i < sameGroup.size(); i++) {
                restored.key(sameGroup.get(i));
                assertThat(r.value()).as("key %s", sameGroup.get(i)).isEqualTo(i < 30 ? null : "v" + sameGroup.get(i));
            }
        }
    }

    private static long newBytes(KeyedStateHandle handle, List<FileRef> before) {
        return handle.storedFiles().stream().filter(f -> before.stream().noneMatch(b -> b.path().equals(f.path()))).mapToLong(FileRef::size).sum();
    }
}
