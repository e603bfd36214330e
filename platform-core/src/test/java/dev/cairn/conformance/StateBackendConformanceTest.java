package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.job.NamespacedState;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.AggregateFunction;
import dev.cairn.api.state.AggregatingState;
import dev.cairn.api.state.AggregatingStateDescriptor;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.spi.snapshot.StateMetaInfo;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.ReducingState;
import dev.cairn.api.state.ReducingStateDescriptor;
import dev.cairn.api.state.StateTtlConfig;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every state backend must do: the semantics of each state primitive, namespaces, TTL,
 * snapshot and restore (full and incremental), rescaled restore, damaged input, snapshots that
 * run while the state changes, a changed key-group count, and schema checks. Extend it and
 * return the plugin from {@link #backend()}.
 */
public abstract class StateBackendConformanceTest {

    protected static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);

    @TempDir
    protected Path temp;
    protected SnapshotStorage storage;
    protected final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<BackendHarness> open = new ArrayList<>();

    protected abstract StateBackend backend();

    @BeforeEach
    void openStorage() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
    }

    @AfterEach
    void closeBackends() {
        open.forEach(BackendHarness::close);
    }

    protected BackendHarness harness(KeyGroupRange range, RestoreContext restore) throws Exception {
        return harness(range, BackendHarness.MAX_PARALLELISM, restore);
    }

    protected BackendHarness harness(KeyGroupRange range, int maxParallelism, RestoreContext restore) throws Exception {
        BackendHarness h = new BackendHarness(backend(), storage, range, maxParallelism, Files.createTempDirectory(temp, "work"), clock, restore);
        open.add(h);
        return h;
    }

    protected BackendHarness fresh() throws Exception {
        return harness(ALL, RestoreContext.NONE);
    }

    protected BackendHarness restored(KeyGroupRange range, List<KeyedStateHandle> handles) throws Exception {
        return harness(range, BackendHarness.restoreFrom(handles, BackendHarness.reader(storage), true, range,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM));
    }

    // ---- semantics of each primitive

    @Test
    void valueStateIsPerKeyAndClears() throws Exception {
        BackendHarness h = fresh();
        ValueState<String> s = h.states.getState(new ValueStateDescriptor<>("v", Serializers.STRING));
        h.key(1);
        assertThat(s.value()).isNull();
        s.update("one");
        h.key(2);
        assertThat(s.value()).isNull();
        s.update("two");
        h.key(1);
        assertThat(s.value()).isEqualTo("one");
        s.clear();
        assertThat(s.value()).isNull();
        h.key(2);
        assertThat(s.value()).isEqualTo("two");
        s.update(null);
        assertThat(s.value()).isNull();
    }

    @Test
    void listStateAppendsUpdatesAndClears() throws Exception {
        BackendHarness h = fresh();
        ListState<Long> s = h.states.getState(new ListStateDescriptor<>("l", Serializers.LONG));
        h.key(7);
        assertThat(s.get()).isEmpty();
        s.add(1L);
        s.add(2L);
        s.addAll(List.of(3L, 4L));
        assertThat(s.get()).containsExactly(1L, 2L, 3L, 4L);
        s.update(List.of(9L));
        assertThat(s.get()).containsExactly(9L);
        h.key(8);
        assertThat(s.get()).isEmpty();
        h.key(7);
        s.clear();
        assertThat(s.get()).isEmpty();
        s.update(List.of());
        assertThat(s.get()).isEmpty();
    }

    @Test
    void mapStatePutsGetsRemovesIterates() throws Exception {
        BackendHarness h = fresh();
        MapState<String, Long> s = h.states.getState(new MapStateDescriptor<>("m", Serializers.STRING, Serializers.LONG));
        h.key(1);
        assertThat(s.isEmpty()).isTrue();
        s.put("a", 1L);
        s.putAll(Map.of("b", 2L, "c", 3L));
        assertThat(s.get("b")).isEqualTo(2L);
        assertThat(s.contains("c")).isTrue();
        s.remove("c");
        assertThat(s.contains("c")).isFalse();
        Map<String, Long> seen = new HashMap<>();
        s.entries().forEach(e -> seen.put(e.getKey(), e.getValue()));
        assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1L, "b", 2L));
        h.key(2);
        assertThat(s.get("a")).isNull();
        h.key(1);
        s.clear();
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void whatAReaderHoldsDoesNotChangeWhenTheStateChanges() throws Exception {
        BackendHarness h = fresh();
        ListState<Long> list = h.states.getState(new ListStateDescriptor<>("l", Serializers.LONG));
        MapState<String, Long> map = h.states.getState(new MapStateDescriptor<>("m", Serializers.STRING, Serializers.LONG));
        h.key(1);
        list.add(1L);
        map.put("a", 1L);
        Iterable<Long> held = list.get();
        Iterable<java.util.Map.Entry<String, Long>> heldEntries = map.entries();
        // changing the state while iterating what get() returned is allowed, and the iteration sees the old state
        for (Long l : held) {
            list.add(l + 1);
        }
        for (java.util.Map.Entry<String, Long> e : heldEntries) {
            map.put(e.getKey() + "'", e.getValue());
        }
        assertThat(held).containsExactly(1L);
        assertThat(heldEntries).hasSize(1);
        assertThat(list.get()).containsExactly(1L, 2L);
        assertThat(map.get("a'")).isEqualTo(1L);
        java.util.Iterator<Long> it = held.iterator();
        it.next();
        assertThatThrownBy(it::remove).as("views are read-only").isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void reducingAndAggregatingStateFold() throws Exception {
        BackendHarness h = fresh();
        ReducingState<Long> sum = h.states.getState(new ReducingStateDescriptor<>("sum", Long::sum, Serializers.LONG));
        AggregatingState<Long, Double> avg = h.states.getState(new AggregatingStateDescriptor<>("avg", new Average(), long[].class));
        h.key(3);
        assertThat(sum.get()).isNull();
        assertThat(avg.get()).isNull();
        for (long v : new long[]{2, 4, 9}) {
            sum.add(v);
            avg.add(v);
        }
        assertThat(sum.get()).isEqualTo(15L);
        assertThat(avg.get()).isEqualTo(5.0);
        h.key(4);
        assertThat(sum.get()).isNull();
    }

    static final class Average implements AggregateFunction<Long, long[], Double> {
        public long[] createAccumulator() {
            return new long[2];
        }

        public long[] add(Long value, long[] acc) {
            return new long[]{acc[0] + value, acc[1] + 1};
        }

        public Double getResult(long[] acc) {
            return (double) acc[0] / acc[1];
        }
    }

    @Test
    void namespacesSeparateValuesOfOneKey() throws Exception {
        BackendHarness h = fresh();
        NamespacedState<String, ValueState<Long>> s = h.states.getNamespacedState(Serializers.STRING,
                new ValueStateDescriptor<>("per-window", Serializers.LONG));
        h.key(1);
        s.in("w1").update(10L);
        s.in("w2").update(20L);
        assertThat(s.in("w1").value()).isEqualTo(10L);
        assertThat(s.in("w2").value()).isEqualTo(20L);
        s.in("w1").clear();
        assertThat(s.in("w1").value()).isNull();
        assertThat(s.in("w2").value()).isEqualTo(20L);
        assertThat(h.backend.keys("per-window", "w2")).containsExactly(1L);
    }

    // ---- TTL

    private static StateTtlConfig.Builder ttl() {
        return StateTtlConfig.newBuilder(Duration.ofSeconds(10));
    }

    @Test
    void expiredValuesAreNeverReturned() throws Exception {
        BackendHarness h = fresh();
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>("ttl", Serializers.STRING);
        d.enableTimeToLive(ttl().build());
        ValueState<String> s = h.states.getState(d);
        ListStateDescriptor<Long> ld = new ListStateDescriptor<>("ttl-list", Serializers.LONG);
        ld.enableTimeToLive(ttl().build());
        ListState<Long> l = h.states.getState(ld);
        h.key(1);
        s.update("x");
        l.add(1L);
        clock.addAndGet(5_000);
        l.add(2L);
        assertThat(s.value()).isEqualTo("x");
        clock.addAndGet(5_000);
        assertThat(s.value()).isNull();
        assertThat(l.get()).containsExactly(2L);
        clock.addAndGet(5_000);
        assertThat(l.get()).isEmpty();
    }

    @Test
    void readsRefreshTheTimestampWhenConfigured() throws Exception {
        BackendHarness h = fresh();
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>("ttl", Serializers.STRING);
        d.enableTimeToLive(ttl().setUpdateType(StateTtlConfig.UpdateType.ON_READ_AND_WRITE).build());
        ValueState<String> s = h.states.getState(d);
        h.key(1);
        s.update("x");
        for (int i = 0; i < 5; i++) {
            clock.addAndGet(8_000);
            assertThat(s.value()).isEqualTo("x");
        }
    }

    @Test
    void expiredValuesAreReturnedUntilCleanedUpWhenConfigured() throws Exception {
        BackendHarness h = fresh();
        MapStateDescriptor<String, Long> d = new MapStateDescriptor<>("ttl-map", Serializers.STRING, Serializers.LONG);
        d.enableTimeToLive(ttl().setStateVisibility(StateTtlConfig.Visibility.RETURN_EXPIRED_IF_NOT_CLEANED_UP).build());
        MapState<String, Long> s = h.states.getState(d);
        h.key(1);
        s.put("a", 1L);
        clock.addAndGet(20_000);
        assertThat(s.get("a")).isEqualTo(1L);
    }

    @Test
    void fullSnapshotsLeaveExpiredEntriesOut() throws Exception {
        BackendHarness h = fresh();
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>("ttl", Serializers.STRING);
        d.enableTimeToLive(ttl().cleanupFullSnapshot().build());
        ValueState<String> s = h.states.getState(d);
        h.key(1);
        s.update("old");
        clock.addAndGet(6_000);
        h.key(2);
        s.update("young");
        clock.addAndGet(6_000);
        KeyedStateHandle handle = h.snapshot(1, false);

        BackendHarness r = restored(ALL, List.of(handle));
        r.states.getState(d);
        assertThat(entryKeyGroups(r)).hasSize(1);
        ValueState<String> rs = r.states.getState(d);
        r.key(2);
        assertThat(rs.value()).isEqualTo("young");
    }

    @Test
    void incrementalCleanupRemovesExpiredEntriesOnAccess() throws Exception {
        BackendHarness h = fresh();
        ValueStateDescriptor<String> d = new ValueStateDescriptor<>("ttl", Serializers.STRING);
        d.enableTimeToLive(ttl().cleanupIncrementally(50).build());
        ValueState<String> s = h.states.getState(d);
        for (long k = 0; k < 500; k++) {
            h.key(k);
            s.update("v" + k);
        }
        clock.addAndGet(11_000);
        h.key(0);
        for (int i = 0; i < 200; i++) {
            s.value(); // each access checks 50 entries
        }
        assertThat(entryKeyGroups(h)).isEmpty();
    }

    // ---- snapshots

    private static Map<Long, String> fill(BackendHarness h, ValueState<String> s, ListState<Long> l, MapState<String, Long> m,
                                          int keys, String tag) throws Exception {
        Map<Long, String> expected = new HashMap<>();
        for (long k = 0; k < keys; k++) {
            h.key(k);
            s.update(tag + k);
            l.add(k);
            m.put("k" + k, k * 2);
            expected.put(k, tag + k);
        }
        return expected;
    }

    private record States(ValueState<String> value, ListState<Long> list, MapState<String, Long> map) {
    }

    private static States register(BackendHarness h) throws Exception {
        return new States(h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING)),
                h.states.getState(new ListStateDescriptor<>("list", Serializers.LONG)),
                h.states.getState(new MapStateDescriptor<>("map", Serializers.STRING, Serializers.LONG)));
    }

    private static void assertHolds(BackendHarness h, States s, long key, String value, List<Long> list) throws Exception {
        h.key(key);
        assertThat(s.value().value()).as("value of key %s", key).isEqualTo(value);
        assertThat(s.list().get()).as("list of key %s", key).containsExactlyElementsOf(list);
        assertThat(s.map().get("k" + key)).as("map of key %s", key).isEqualTo(value == null ? null : key * 2);
    }

    @Test
    void fullSnapshotRestoresEveryStateExactly() throws Exception {
        BackendHarness h = fresh();
        States s = register(h);
        fill(h, s.value(), s.list(), s.map(), 2_000, "v");
        KeyedStateHandle handle = h.snapshot(1, false);

        BackendHarness r = restored(ALL, List.of(handle));
        States rs = register(r);
        for (long k = 0; k < 2_000; k++) {
            assertHolds(r, rs, k, "v" + k, List.of(k));
        }
        assertThat(entryKeyGroups(r)).hasSize(3 * 2_000);
    }

    /**
     * The bytes checkpoint {@code second} wrote: the files it references that {@code first} did
     * not. A backend that also writes between checkpoints (a changelog's background
     * materialisation) counts only what the checkpoint itself had to write.
     */
    protected long bytesWrittenFor(KeyedStateHandle second, KeyedStateHandle first) {
        return second.storedFiles().stream().filter(f -> first.storedFiles().stream().noneMatch(g -> g.path().equals(f.path())))
                .mapToLong(f -> f.size()).sum();
    }

    @Test
    void incrementalSnapshotsRestoreTheLatestStateAndReuseUnchangedFiles() throws Exception {
        BackendHarness h = fresh();
        States s = register(h);
        fill(h, s.value(), s.list(), s.map(), 1_000, "v");
        KeyedStateHandle first = h.snapshot(1, true);
        h.key(5);
        s.value().update("changed");
        h.key(6);
        s.value().clear();
        s.list().clear();
        s.map().clear();
        KeyedStateHandle second = h.snapshot(2, true);

        long written = bytesWrittenFor(second, first);
        long total = second.storedFiles().stream().mapToLong(f -> f.size()).sum();
        if (backend().supportsIncremental()) {
            assertThat(written).as("bytes newly written by the second incremental snapshot").isLessThan(total / 4);
        }

        BackendHarness r = restored(ALL, List.of(second));
        States rs = register(r);
        assertHolds(r, rs, 5, "changed", List.of(5L));
        assertHolds(r, rs, 6, null, List.of());
        assertHolds(r, rs, 7, "v7", List.of(7L));
        assertThat(entryKeyGroups(r)).hasSize(3 * 1_000 - 3);
    }

    /** The state a model of random changes says a backend holds: values, lists and maps per key. */
    private static final class Model {
        final Map<Long, String> values = new HashMap<>();
        final Map<Long, List<Long>> lists = new HashMap<>();
        final Map<Long, Map<String, Long>> maps = new HashMap<>();

        Model copy() {
            Model m = new Model();
            m.values.putAll(values);
            lists.forEach((k, l) -> m.lists.put(k, new ArrayList<>(l)));
            maps.forEach((k, v) -> m.maps.put(k, new HashMap<>(v)));
            return m;
        }

        int entries(KeyGroupRange range, int maxParallelism) {
            int n = 0;
            for (long k : keysIn(range, maxParallelism)) {
                n += (values.containsKey(k) ? 1 : 0) + lists.getOrDefault(k, List.of()).size() + maps.getOrDefault(k, Map.of()).size();
            }
            return n;
        }

        List<Long> keysIn(KeyGroupRange range, int maxParallelism) {
            java.util.Set<Long> keys = new java.util.TreeSet<>(values.keySet());
            keys.addAll(lists.keySet());
            keys.addAll(maps.keySet());
            return keys.stream().filter(k -> range.contains(KeyGroups.keyGroupFor(k, maxParallelism))).toList();
        }
    }

    /** One random change to key {@code k}, made to the backend and the model alike. */
    private static void change(BackendHarness h, States s, Model model, java.util.Random random, long k) throws Exception {
        h.key(k);
        switch (random.nextInt(7)) {
            case 0, 1 -> {
                String v = "v" + random.nextInt(1_000_000);
                s.value().update(v);
                model.values.put(k, v);
            }
            case 2 -> {
                s.value().clear();
                model.values.remove(k);
            }
            case 3 -> {
                long e = random.nextInt(1000);
                s.list().add(e);
                model.lists.computeIfAbsent(k, x -> new ArrayList<>()).add(e);
            }
            case 4 -> {
                s.list().clear();
                model.lists.remove(k);
            }
            case 5 -> {
                String mk = "m" + random.nextInt(4);
                long v = random.nextInt(1000);
                s.map().put(mk, v);
                model.maps.computeIfAbsent(k, x -> new HashMap<>()).put(mk, v);
            }
            default -> {
                String mk = "m" + random.nextInt(4);
                s.map().remove(mk);
                Map<String, Long> m = model.maps.get(k);
                if (m != null) {
                    m.remove(mk);
                    if (m.isEmpty()) {
                        model.maps.remove(k);
                    }
                }
            }
        }
    }

    private static void assertHoldsExactly(BackendHarness r, KeyGroupRange range, int maxParallelism, Model model, long keys, String when)
            throws Exception {
        States rs = register(r);
        for (long k = 0; k < keys; k++) {
            if (!range.contains(KeyGroups.keyGroupFor(k, maxParallelism))) {
                continue;
            }
            r.key(k);
            assertThat(rs.value().value()).as("%s: value of key %s", when, k).isEqualTo(model.values.get(k));
            assertThat(rs.list().get()).as("%s: list of key %s", when, k).containsExactlyElementsOf(model.lists.getOrDefault(k, List.of()));
            Map<String, Long> map = new HashMap<>();
            rs.map().entries().forEach(e -> map.put(e.getKey(), e.getValue()));
            assertThat(map).as("%s: map of key %s", when, k).isEqualTo(model.maps.getOrDefault(k, Map.of()));
        }
        assertThat(entryKeyGroups(r)).as("%s: entries held", when).hasSize(model.entries(range, maxParallelism));
    }

    @Test
    void incrementalCheckpointsOfRandomChangesRestoreExactlyWhatAModelHolds() throws Exception {
        int keys = 2_000;
        java.util.Random random = new java.util.Random(7);
        BackendHarness h = fresh();
        States s = register(h);
        Model model = new Model();
        for (long k = 0; k < keys; k++) {
            change(h, s, model, random, k);
        }
        for (int checkpoint = 1; checkpoint <= 14; checkpoint++) {
            // most checkpoints see a few changes; every fifth sees a change to nearly every key
            int changes = checkpoint % 5 == 0 ? 2 * keys : keys / 50;
            for (int i = 0; i < changes; i++) {
                change(h, s, model, random, random.nextInt(keys));
            }
            Model atSnapshot = model.copy();
            AsyncSnapshot running = h.startSnapshot(checkpoint, true);
            for (int i = 0; i < keys / 50; i++) { // changes while the snapshot is written are not in it
                change(h, s, model, random, random.nextInt(keys));
            }
            KeyedStateHandle handle = running.write();
            h.backend.notifyCheckpointComplete(checkpoint);

            if (checkpoint % 3 == 0) {
                for (KeyGroupRange range : List.of(ALL, KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, 2, 1))) {
                    assertHoldsExactly(restored(range, List.of(handle)), range, BackendHarness.MAX_PARALLELISM, atSnapshot, keys,
                            "checkpoint " + checkpoint + ", range " + range);
                }
                if (handle instanceof KeyGroupSectionsHandle) { // a backend's own files keep their key-group count (the platform refuses another)
                    KeyGroupRange regrouped = KeyGroups.rangeForSubtask(256, 3, 1);
                    assertHoldsExactly(harness(regrouped, 256, BackendHarness.restoreFrom(List.of(handle), BackendHarness.reader(storage), true,
                            regrouped, 256, BackendHarness.MAX_PARALLELISM)), regrouped, 256, atSnapshot, keys, "checkpoint " + checkpoint + " in 256 key groups");
                }
            }
            if (checkpoint == 7) { // a restored backend goes on building on the restored checkpoint
                model = atSnapshot;
                h = restored(ALL, List.of(handle));
                s = register(h);
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1} subtasks, incremental {2}")
    @CsvSource({"2, 3, false", "2, 3, true", "3, 1, false", "3, 1, true"})
    void rescaledRestoreGivesEachSubtaskExactlyItsKeys(int from, int to, boolean incremental) throws Exception {
        int keys = 3_000;
        List<KeyedStateHandle> handles = new ArrayList<>();
        for (int i = 0; i < from; i++) {
            BackendHarness h = harness(KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, from, i), RestoreContext.NONE);
            States s = register(h);
            for (long k = 0; k < keys; k++) {
                if (KeyGroups.subtaskFor(KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM), BackendHarness.MAX_PARALLELISM, from) == i) {
                    h.key(k);
                    s.value().update("v" + k);
                    s.list().add(k);
                    s.map().put("k" + k, k * 2);
                }
            }
            handles.add(h.snapshot(1, incremental));
        }
        int total = 0;
        for (int i = 0; i < to; i++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, to, i);
            BackendHarness r = restored(range, handles);
            States rs = register(r);
            List<Integer> entries = entryKeyGroups(r);
            assertThat(entries).allMatch(range::contains);
            total += entries.size();
            for (long k = 0; k < keys; k++) {
                if (range.contains(KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM))) {
                    assertHolds(r, rs, k, "v" + k, List.of(k));
                }
            }
        }
        assertThat(total).as("entries over all new subtasks: every key exactly once").isEqualTo(3 * keys);
    }

    @Test
    void anIncrementalCheckpointAfterMergingSubtasksThatRegisteredStatesInAnotherOrderRestoresEveryState() throws Exception {
        List<KeyedStateHandle> handles = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            BackendHarness h = harness(KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, 2, i), RestoreContext.NONE);
            ValueStateDescriptor<String> value = new ValueStateDescriptor<>("value", Serializers.STRING);
            MapStateDescriptor<String, Long> map = new MapStateDescriptor<>("map", Serializers.STRING, Serializers.LONG);
            // the second subtask registered its states in the other order: its sections number them the other way
            ValueState<String> v = i == 0 ? h.states.getState(value) : null;
            MapState<String, Long> m = h.states.getState(map);
            if (v == null) {
                v = h.states.getState(value);
            }
            for (long k = 0; k < 1_000; k++) {
                if (KeyGroups.subtaskFor(KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM), BackendHarness.MAX_PARALLELISM, 2) == i) {
                    h.key(k);
                    v.update("v" + k);
                    m.put("k" + k, k * 2);
                }
            }
            handles.add(h.snapshot(1, true));
        }
        BackendHarness merged = restored(ALL, handles);
        States s = register(merged);
        merged.key(7);
        s.value().update("changed");
        KeyedStateHandle next = merged.snapshot(2, true);

        BackendHarness again = restored(ALL, List.of(next));
        States r = register(again);
        for (long k = 0; k < 1_000; k++) {
            again.key(k);
            assertThat(r.value().value()).as("value of key %s", k).isEqualTo(k == 7 ? "changed" : "v" + k);
            assertThat(r.map().get("k" + k)).as("map of key %s", k).isEqualTo(k * 2);
        }
    }

    @Test
    void aSnapshotSeesTheStateOfItsSynchronousPartWhileUpdatesContinue() throws Exception {
        BackendHarness h = fresh();
        States s = register(h);
        fill(h, s.value(), s.list(), s.map(), 5_000, "before");
        AsyncSnapshot running = h.startSnapshot(1, false);
        for (long k = 0; k < 5_000; k++) {
            h.key(k);
            s.value().update("after" + k);
            s.list().add(-k);
            s.map().put("k" + k, -1L);
            if (k % 2 == 0) {
                s.value().clear();
            }
        }
        for (long k = 5_000; k < 6_000; k++) {
            h.key(k);
            s.value().update("new");
        }
        KeyedStateHandle handle = running.write();

        BackendHarness r = restored(ALL, List.of(handle));
        States rs = register(r);
        for (long k = 0; k < 6_000; k++) {
            if (k < 5_000) {
                assertHolds(r, rs, k, "before" + k, List.of(k));
            } else {
                r.key(k);
                assertThat(rs.value().value()).isNull();
            }
        }
        // and the live state kept every update
        h.key(1);
        assertThat(s.value().value()).isEqualTo("after1");
        assertThat(s.list().get()).containsExactly(1L, -1L);
    }

    @Test
    void valuesChangedInPlaceAfterASnapshotsSynchronousPartAreNotInIt() throws Exception {
        BackendHarness h = fresh();
        ValueState<long[]> value = h.states.getState(new ValueStateDescriptor<>("acc", long[].class));
        MapState<String, long[]> map = h.states.getState(new MapStateDescriptor<>("per-field", String.class, long[].class));
        AggregatingState<Long, Long> sum = h.states.getState(new AggregatingStateDescriptor<>("sum", new SumInPlace(), long[].class));
        NamespacedState<String, ValueState<long[]>> windows = h.states.getNamespacedState(Serializers.STRING,
                new ValueStateDescriptor<>("per-window", long[].class));
        ListState<long[]> list = h.states.getState(new ListStateDescriptor<>("history", long[].class));
        for (long k = 0; k < 1_000; k++) {
            h.key(k);
            value.update(new long[]{k});
            map.put("f", new long[]{k});
            sum.add(k);
            windows.in("w").update(new long[]{k});
            list.add(new long[]{k});
        }
        AsyncSnapshot running = h.startSnapshot(1, false);
        // as jobs do: read the object, change it, write it back (an accumulator's add returns the one it was given)
        for (long k = 0; k < 1_000; k++) {
            h.key(k);
            long[] v = value.value();
            v[0] += 1_000;
            value.update(v);
            long[] m = map.get("f");
            m[0] += 1_000;
            map.put("f", m);
            sum.add(1_000L);
            long[] w = windows.in("w").value();
            w[0] += 1_000;
            windows.in("w").update(w);
            // an element changed where it is, without an update: what a backend then holds differs, never the snapshot
            list.get().iterator().next()[0] += 1_000;
        }
        // keys added and removed while the snapshot runs move the others in their tables; then each key changes again
        for (long k = 1_000; k < 5_000; k++) {
            h.key(k);
            value.update(new long[]{k});
            windows.in("w").update(new long[]{k});
        }
        for (long k = 1_000; k < 5_000; k += 2) {
            h.key(k);
            value.clear();
            windows.in("w").clear();
        }
        for (long k = 0; k < 1_000; k++) {
            h.key(k);
            long[] v = value.value();
            v[0] += 1_000;
            value.update(v);
            long[] w = windows.in("w").value();
            w[0] += 1_000;
            windows.in("w").update(w);
        }
        KeyedStateHandle handle = running.write();

        BackendHarness r = restored(ALL, List.of(handle));
        ValueState<long[]> rValue = r.states.getState(new ValueStateDescriptor<>("acc", long[].class));
        MapState<String, long[]> rMap = r.states.getState(new MapStateDescriptor<>("per-field", String.class, long[].class));
        AggregatingState<Long, Long> rSum = r.states.getState(new AggregatingStateDescriptor<>("sum", new SumInPlace(), long[].class));
        NamespacedState<String, ValueState<long[]>> rWindows = r.states.getNamespacedState(Serializers.STRING,
                new ValueStateDescriptor<>("per-window", long[].class));
        ListState<long[]> rList = r.states.getState(new ListStateDescriptor<>("history", long[].class));
        for (long k = 0; k < 1_000; k++) {
            r.key(k);
            assertThat(rValue.value()).as("value of key %s in the snapshot", k).containsExactly(k);
            assertThat(rMap.get("f")).as("map value of key %s in the snapshot", k).containsExactly(k);
            assertThat(rSum.get()).as("accumulator of key %s in the snapshot", k).isEqualTo(k);
            assertThat(rWindows.in("w").value()).as("window value of key %s in the snapshot", k).containsExactly(k);
            long key = k;
            assertThat(rList.get()).as("list of key %s in the snapshot", k).singleElement().satisfies(e -> assertThat(e).containsExactly(key));
            h.key(k);
            assertThat(value.value()).as("live value of key %s", k).containsExactly(k + 2_000);
            assertThat(map.get("f")).as("live map value of key %s", k).containsExactly(k + 1_000);
            assertThat(sum.get()).as("live accumulator of key %s", k).isEqualTo(k + 1_000);
            assertThat(windows.in("w").value()).as("live window value of key %s", k).containsExactly(k + 2_000);
        }
        for (long k = 1_000; k < 5_000; k++) {
            r.key(k);
            assertThat(rValue.value()).as("key %s, added after the snapshot began", k).isNull();
            h.key(k);
            assertThat(value.value()).as("live value of key %s", k).isEqualTo(k % 2 == 0 ? null : new long[]{k});
        }
    }

    /** Adds into the accumulator it is given and returns it, as most accumulators do. */
    static final class SumInPlace implements AggregateFunction<Long, long[], Long> {
        public long[] createAccumulator() {
            return new long[1];
        }

        public long[] add(Long value, long[] acc) {
            acc[0] += value;
            return acc;
        }

        public Long getResult(long[] acc) {
            return acc[0];
        }
    }

    @Test
    void aFlippedByteIsReportedWithTheFileAndItsChecksum() throws Exception {
        BackendHarness h = fresh();
        States s = register(h);
        fill(h, s.value(), s.list(), s.map(), 500, "v");
        KeyedStateHandle handle = h.snapshot(1, false);
        String file = handle.storedFiles().get(0).path();
        Path onDisk = temp.resolve("storage").resolve(BackendHarness.JOB).resolve(file);
        try (RandomAccessFile raf = new RandomAccessFile(onDisk.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x40);
        }
        assertThatThrownBy(() -> restored(ALL, List.of(handle)))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(file)
                .hasMessageContaining("CRC32C");
    }

    @ParameterizedTest(name = "max parallelism 128 -> {0}, {1} subtasks")
    @CsvSource({"256, 2", "64, 3", "128, 1"})
    void aChangedKeyGroupCountReassignsEveryKeyByItsHash(int maxParallelism, int subtasks) throws Exception {
        BackendHarness h = fresh();
        States s = register(h);
        fill(h, s.value(), s.list(), s.map(), 2_000, "v");
        KeyedStateHandle handle = h.snapshot(1, false);
        int total = 0;
        for (int i = 0; i < subtasks; i++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(maxParallelism, subtasks, i);
            BackendHarness r = harness(range, maxParallelism, BackendHarness.restoreFrom(List.of(handle), BackendHarness.reader(storage),
                    true, range, maxParallelism, BackendHarness.MAX_PARALLELISM));
            States rs = register(r);
            List<Integer> entries = entryKeyGroups(r);
            assertThat(entries).allMatch(range::contains);
            total += entries.size();
            for (long k = 0; k < 2_000; k++) {
                if (range.contains(KeyGroups.keyGroupFor(k, maxParallelism))) {
                    assertHolds(r, rs, k, "v" + k, List.of(k));
                }
            }
        }
        assertThat(total).as("entries over all new subtasks: every key exactly once").isEqualTo(3 * 2_000);
    }

    @Test
    void anIncompatibleSerializerFailsNamingTheState() throws Exception {
        BackendHarness h = fresh();
        ValueState<Long> s = h.states.getState(new ValueStateDescriptor<>("counter", Serializers.LONG));
        h.key(1);
        s.update(41L);
        KeyedStateHandle handle = h.snapshot(1, false);

        BackendHarness r = restored(ALL, List.of(handle));
        assertThatThrownBy(() -> r.states.getState(new ValueStateDescriptor<>("counter", Serializers.STRING)))
                .hasMessageContaining("'counter'").hasMessageContaining("Long").hasMessageContaining("String");
        assertThatThrownBy(() -> r.states.getState(new ListStateDescriptor<>("counter", Serializers.LONG)))
                .hasMessageContaining("'counter'").hasMessageContaining("VALUE").hasMessageContaining("LIST");
        ValueState<Long> ok = r.states.getState(new ValueStateDescriptor<>("counter", Serializers.LONG));
        r.key(1);
        assertThat(ok.value()).isEqualTo(41L);
    }

    @Test
    void stateWrittenWithAnOlderSerializerIsMigratedToTheNewOne() throws Exception {
        BackendHarness h = fresh();
        ValueState<String> v1 = h.states.getState(new ValueStateDescriptor<>("name", new EvolvingStringSerializer(1)));
        for (long k = 0; k < 200; k++) {
            h.key(k);
            v1.update("name-" + k);
        }
        KeyedStateHandle written = h.snapshot(1, true);

        BackendHarness migrated = restored(ALL, List.of(written));
        ValueState<String> v2 = migrated.states.getState(new ValueStateDescriptor<>("name", new EvolvingStringSerializer(2)));
        migrated.key(3);
        assertThat(v2.value()).isEqualTo("name-3");
        // the next snapshot, even an incremental one, holds every key in the new format
        KeyedStateHandle rewritten = migrated.snapshot(2, true);
        assertThat(rewritten.states()).singleElement().satisfies(s -> assertThat(s.valueSerializer().serializer()).isEqualTo("EvolvingString(v2)"));

        BackendHarness again = restored(ALL, List.of(rewritten));
        ValueState<String> v2Again = again.states.getState(new ValueStateDescriptor<>("name", new EvolvingStringSerializer(2)));
        for (long k = 0; k < 200; k++) {
            again.key(k);
            assertThat(v2Again.value()).isEqualTo("name-" + k);
        }
        assertThatThrownBy(() -> restored(ALL, List.of(rewritten)).states.getState(
                new ValueStateDescriptor<>("name", new EvolvingStringSerializer(1))))
                .hasMessageContaining("'name'").hasMessageContaining("EvolvingString(v2)").hasMessageContaining("EvolvingString(v1)");
    }

    private static final String SKU_V1 = """
            package shop;
            public class Sku {
                private String title;
                private int version;
                private Long stock;
                public Sku() {
                }
                public Sku(String title, int version, Long stock) {
                    this.title = title;
                    this.version = version;
                    this.stock = stock;
                }
            }
            """;
    /** {@code version} removed, {@code priceCents} and {@code tags} added. */
    private static final String SKU_V2 = """
            package shop;
            public class Sku {
                private String title;
                private Long stock;
                private long priceCents = -1;
                private java.util.List<String> tags;
                public String toString() {
                    return title + "/" + stock + "/" + priceCents + "/" + tags;
                }
            }
            """;
    /** {@code stock} retyped from Long to String. */
    private static final String SKU_RETYPED = """
            package shop;
            public class Sku {
                private String title;
                private int version;
                private String stock;
            }
            """;

    private BackendHarness withClasses(RestoreContext restore, ClassLoader classes) throws Exception {
        BackendHarness h = new BackendHarness(backend(), storage, ALL, BackendHarness.MAX_PARALLELISM, Files.createTempDirectory(temp, "work"),
                clock, restore, classes);
        open.add(h);
        return h;
    }

    @Test
    void pojoStateMigratesWhenItsClassGainsAndLosesFields() throws Exception {
        ClassLoader v1 = JobClasses.compile(temp.resolve("v1"), Map.of("shop.Sku", SKU_V1));
        ClassLoader v2 = JobClasses.compile(temp.resolve("v2"), Map.of("shop.Sku", SKU_V2));
        ClassLoader retyped = JobClasses.compile(temp.resolve("retyped"), Map.of("shop.Sku", SKU_RETYPED));
        Class<?> sku1 = v1.loadClass("shop.Sku");
        BackendHarness h = withClasses(RestoreContext.NONE, v1);
        ValueState<Object> s1 = h.states.getState(new ValueStateDescriptor<>("sku", objects(sku1)));
        MapState<String, Object> m1 = h.states.getState(new MapStateDescriptor<>("by-region", String.class, objects(sku1)));
        for (long k = 0; k < 200; k++) {
            h.key(k);
            s1.update(sku1.getConstructor(String.class, int.class, Long.class).newInstance("t" + k, (int) k, k % 3 == 0 ? null : k * 10));
            m1.put("eu", sku1.getConstructor(String.class, int.class, Long.class).newInstance("eu" + k, 1, 5L));
        }
        KeyedStateHandle written = h.snapshot(1, true);
        assertThat(written.states()).anySatisfy(st -> assertThat(st.valueSerializer().serializer()).isEqualTo("Pojo(shop.Sku)"));

        // fields added and removed: the values move to the new class, kept fields kept, new ones at their defaults
        BackendHarness migrated = restored(written, v2);
        Class<?> sku2 = v2.loadClass("shop.Sku");
        ValueState<Object> s2 = migrated.states.getState(new ValueStateDescriptor<>("sku", objects(sku2)));
        MapState<String, Object> m2 = migrated.states.getState(new MapStateDescriptor<>("by-region", String.class, objects(sku2)));
        for (long k = 0; k < 200; k++) {
            migrated.key(k);
            assertThat(s2.value()).hasToString("t" + k + "/" + (k % 3 == 0 ? null : k * 10) + "/-1/null");
            assertThat(m2.get("eu")).hasToString("eu" + k + "/5/-1/null");
        }
        KeyedStateHandle rewritten = migrated.snapshot(2, true);
        // the new snapshot is in the new shape: the class as it is now reads it as it is
        StateMetaInfo written2 = rewritten.states().stream().filter(st -> st.name().equals("sku")).findFirst().orElseThrow();
        TypeSerializerSnapshot<Object> shape = written2.valueSerializer().restore(BackendHarness.class.getClassLoader(), v2);
        assertThat(shape.resolveCompatibility(new SerializerResolver(v2).resolve(null, objects(sku2))))
                .isEqualTo(SerializerCompatibility.COMPATIBLE_AS_IS);
        BackendHarness again = restored(rewritten, v2);
        ValueState<Object> s2again = again.states.getState(new ValueStateDescriptor<>("sku", objects(sku2)));
        again.key(7);
        assertThat(s2again.value()).hasToString("t7/70/-1/null");

        // a run that never registers the state passes it on; the next run migrates it as before
        KeyedStateHandle passedOn = restored(written, v2).snapshot(3, true);
        BackendHarness later = restored(passedOn, v2);
        ValueState<Object> s2later = later.states.getState(new ValueStateDescriptor<>("sku", objects(sku2)));
        later.key(4);
        assertThat(s2later.value()).hasToString("t4/40/-1/null");

        // a field retyped: refused, naming the field
        assertThatThrownBy(() -> restored(written, retyped).states.getState(new ValueStateDescriptor<>("sku", objects(retyped.loadClass("shop.Sku")))))
                .hasMessageContaining("'sku'").hasMessageContaining("changed the type of field stock (Long in the snapshot, String now)");
    }

    @SuppressWarnings("unchecked")
    private static Class<Object> objects(Class<?> type) {
        return (Class<Object>) type;
    }

    private BackendHarness restored(KeyedStateHandle handle, ClassLoader classes) throws Exception {
        return withClasses(BackendHarness.restoreFrom(List.of(handle), BackendHarness.reader(storage), true, ALL,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM), classes);
    }

    /** The key group of every entry the backend holds, as a snapshot would read them. */
    protected static List<Integer> entryKeyGroups(BackendHarness h) throws Exception {
        List<Integer> keyGroups = new ArrayList<>();
        try (KeyGroupEntries entries = h.backend.captureEntries()) {
            KeyGroupRange range = entries.keyGroupRange();
            for (int kg = range.start(); kg <= range.end(); kg++) {
                int keyGroup = kg;
                entries.read(kg, (state, key, namespace, mapKey, value) -> keyGroups.add(keyGroup));
            }
        }
        return keyGroups;
    }
}
