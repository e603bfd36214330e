package dev.cairn.backend.offheap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental off-heap checkpoints write the keys that changed, read as of their synchronous
 * part, as deltas over the key groups' earlier sections; what the log cannot vouch for is
 * written whole.
 */
class OffHeapDeltaCheckpointTest {

    private static final int KEYS = 20_000;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);

    @TempDir
    Path temp;
    private LocalFileStorage storage;
    private BackendHarness harness;
    private ValueState<String> value;
    private MapState<String, Long> map;

    @BeforeEach
    void open() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
        harness = new BackendHarness(new OffHeapStateBackend(), storage, ALL, Files.createTempDirectory(temp, "work"), new AtomicLong(1),
                RestoreContext.NONE);
        value = harness.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
        map = harness.states.getState(new MapStateDescriptor<>("map", Serializers.STRING, Serializers.LONG));
    }

    @AfterEach
    void close() {
        harness.close();
    }

    @Test
    void aCheckpointAfterAFewChangesWritesOnlyThoseKeysAsOfItsSynchronousPart() throws Exception {
        Map<Long, String> values = new HashMap<>();
        Map<Long, Map<String, Long>> maps = new HashMap<>();
        for (long k = 0; k < KEYS; k++) {
            set(k, "initial value of key " + k, values);
            put(k, "a", k, maps);
            put(k, "b", -k, maps);
        }
        KeyedStateHandle previous = complete(harness.snapshot(1, true), 1);
        long whole = newBytes(previous, List.of());
        long writtenByAll = 0;
        for (int checkpoint = 2; checkpoint <= 24; checkpoint++) {
            for (long k = checkpoint; k < KEYS; k += 1_000) { // 20 keys, in about as many key groups
                set(k, "changed at " + checkpoint, values);
                put(k, "c" + checkpoint, (long) checkpoint, maps);
                remove(k, "a", maps);
            }
            set(checkpoint * 7L, null, values);
            Map<Long, String> valuesThen = new HashMap<>(values);
            Map<Long, Map<String, Long>> mapsThen = copy(maps);
            AsyncSnapshot running = harness.startSnapshot(checkpoint, true);
            for (long k = checkpoint + 1; k < KEYS; k += 999) { // after the synchronous part: not in this checkpoint
                set(k, "too late for " + checkpoint, values);
                put(k, "late", 0L, maps);
            }
            KeyedStateHandle handle = complete(running.write(), checkpoint);
            long written = newBytes(handle, previous.storedFiles());
            // without deltas: the ~40 key groups changed before or after the synchronous part, a third of it; a key group's
            // chain is written whole again after MAX_DELTAS deltas, so some checkpoints write a few key groups whole
            assertThat(written).as("bytes checkpoint %s wrote after changing 21 of %s keys (whole state: %s bytes)", checkpoint, KEYS, whole)
                    .isLessThan(whole / 10);
            writtenByAll += written;
            Map<Integer, Long> chains = ((KeyGroupSectionsHandle) handle).sections().stream()
                    .collect(Collectors.groupingBy(KeyGroupSection::keyGroup, Collectors.counting()));
            assertThat(chains.values()).as("sections per key group at checkpoint %s", checkpoint)
                    .allMatch(n -> n <= 1 + OffHeapSnapshotWriter.MAX_DELTAS).anyMatch(n -> n > 1);
            if (checkpoint % 8 == 0) {
                assertRestores(handle, valuesThen, mapsThen);
            }
            previous = handle;
        }
        assertThat(writtenByAll).as("bytes 23 checkpoints wrote together (whole state: %s bytes)", whole).isLessThan(whole);
    }

    @Test
    void aKeyChangedAgainBetweenACheckpointsSynchronousPartAndItsCompletionIsInTheNextCheckpoint() throws Exception {
        Map<Long, String> values = new HashMap<>();
        for (long k = 0; k < 2_000; k++) {
            set(k, "v" + k, values);
        }
        complete(harness.snapshot(1, true), 1);
        set(5, "first", values);
        AsyncSnapshot second = harness.startSnapshot(2, true);
        set(5, "second", values); // the same key as the last one changed: logged again all the same
        KeyedStateHandle secondHandle = complete(second.write(), 2);
        // checkpoint 3 is written but never completes: checkpoint 4 builds on checkpoint 2 again
        set(6, "sixth", values);
        KeyedStateHandle third = harness.startSnapshot(3, true).write();
        harness.backend.notifyCheckpointAborted(3);
        set(7, "seventh", values);
        KeyedStateHandle fourth = complete(harness.snapshot(4, true), 4);
        assertThat(deltas(fourth)).as("key groups checkpoint 4 wrote deltas for").isNotEmpty();
        assertThat(fourth.storedFiles().stream().map(FileRef::path)).as("files checkpoint 4 references")
                .doesNotContainAnyElementsOf(written(third, secondHandle));
        assertRestores(fourth, values, Map.of());
    }

    @Test
    void checkpointsCompletingOutOfOrderLeaveTheLaterOneTheBase() throws Exception {
        Map<Long, String> values = new HashMap<>();
        for (long k = 0; k < 2_000; k++) {
            set(k, "v" + k, values);
        }
        KeyedStateHandle first = complete(harness.snapshot(1, true), 1);
        set(5, "in 2", values);
        AsyncSnapshot second = harness.startSnapshot(2, true);
        set(6, "in 3", values);
        AsyncSnapshot third = harness.startSnapshot(3, true);
        set(7, "in 4", values);
        KeyedStateHandle thirdHandle = complete(third.write(), 3);
        complete(second.write(), 2); // late: checkpoint 3 already settled it
        KeyedStateHandle fourth = complete(harness.snapshot(4, true), 4);
        List<String> fourthWrote = written(fourth, thirdHandle);
        // key 7's key group only: keys 5 and 6 are in checkpoint 3, its base (built on checkpoint 2, it would hold key 6 again)
        assertThat(((KeyGroupSectionsHandle) fourth).sections().stream().filter(x -> fourthWrote.contains(x.path()))).hasSize(1);
        assertThat(fourth.storedFiles().stream().map(FileRef::path)).containsAll(written(thirdHandle, first));
        assertRestores(fourth, values, Map.of());
    }

    /** The key groups with more than one section: a delta written after their whole section. */
    private static List<Integer> deltas(KeyedStateHandle handle) {
        return ((KeyGroupSectionsHandle) handle).sections().stream().collect(Collectors.groupingBy(KeyGroupSection::keyGroup, Collectors.counting()))
                .entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /** The files {@code handle} references and {@code before} does not: those its checkpoint wrote. */
    private static List<String> written(KeyedStateHandle handle, KeyedStateHandle before) {
        return handle.storedFiles().stream().map(FileRef::path).filter(p -> before.storedFiles().stream().noneMatch(f -> f.path().equals(p))).toList();
    }

    @Test
    void aKeyGroupWhoseChangesOutgrowItsLogIsWrittenWholeAndRestoresExactly() throws Exception {
        Map<Long, String> values = new HashMap<>();
        Map<Long, Map<String, Long>> maps = new HashMap<>();
        List<Long> groupSeven = LongStream.range(0, 100_000).filter(k -> KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM) == 7)
                .limit(20).boxed().toList();
        for (long k = 0; k < 5_000; k++) {
            set(k, "v" + k, values);
        }
        for (long k : groupSeven) {
            set(k, "v" + k, values);
        }
        KeyedStateHandle first = complete(harness.snapshot(1, true), 1);
        for (int round = 0; round < 200; round++) { // many changes to the few keys of one key group: far more log than state
            for (long k : groupSeven) {
                set(k, "round " + round, values);
            }
        }
        set(groupSeven.get(0), null, values);
        KeyedStateHandle second = complete(harness.snapshot(2, true), 2);
        List<KeyGroupSection> seven = ((KeyGroupSectionsHandle) second).sections().stream().filter(s -> s.keyGroup() == 7).toList();
        assertThat(seven).as("key group 7's sections").hasSize(1);
        assertThat(first.storedFiles().stream().map(FileRef::path)).doesNotContain(seven.get(0).path());
        assertRestores(second, values, maps);
    }

    private KeyedStateHandle complete(KeyedStateHandle handle, long checkpoint) {
        harness.backend.notifyCheckpointComplete(checkpoint);
        return handle;
    }

    private void set(long key, String v, Map<Long, String> values) throws Exception {
        harness.key(key);
        if (v == null) {
            value.clear();
            values.remove(key);
        } else {
            value.update(v);
            values.put(key, v);
        }
    }

    private void put(long key, String userKey, long v, Map<Long, Map<String, Long>> maps) throws Exception {
        harness.key(key);
        map.put(userKey, v);
        maps.computeIfAbsent(key, x -> new HashMap<>()).put(userKey, v);
    }

    private void remove(long key, String userKey, Map<Long, Map<String, Long>> maps) throws Exception {
        harness.key(key);
        map.remove(userKey);
        Map<String, Long> m = maps.get(key);
        if (m != null && m.remove(userKey) != null && m.isEmpty()) {
            maps.remove(key);
        }
    }

    private static Map<Long, Map<String, Long>> copy(Map<Long, Map<String, Long>> maps) {
        Map<Long, Map<String, Long>> copy = new HashMap<>();
        maps.forEach((k, m) -> copy.put(k, new HashMap<>(m)));
        return copy;
    }

    /** A backend restored from {@code handle} holds exactly the values and map entries given, for every key written. */
    private void assertRestores(KeyedStateHandle handle, Map<Long, String> values, Map<Long, Map<String, Long>> maps) throws Exception {
        try (BackendHarness restored = new BackendHarness(new OffHeapStateBackend(), storage, ALL, Files.createTempDirectory(temp, "work"),
                new AtomicLong(1), BackendHarness.restoreFrom(List.of(handle), BackendHarness.reader(storage), true, ALL,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
            ValueState<String> v = restored.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            MapState<String, Long> m = restored.states.getState(new MapStateDescriptor<>("map", Serializers.STRING, Serializers.LONG));
            for (long k = 0; k < 100_000; k++) {
                restored.key(k);
                assertThat(v.value()).as("value of key %s", k).isEqualTo(values.get(k));
                Map<String, Long> entries = new HashMap<>();
                for (Map.Entry<String, Long> e : m.entries()) {
                    entries.put(e.getKey(), e.getValue());
                }
                assertThat(entries).as("map of key %s", k).isEqualTo(maps.getOrDefault(k, Map.of()));
            }
        }
    }

    private static long newBytes(KeyedStateHandle handle, List<FileRef> before) {
        return handle.storedFiles().stream().filter(f -> before.stream().noneMatch(b -> b.path().equals(f.path()))).mapToLong(FileRef::size).sum();
    }
}
