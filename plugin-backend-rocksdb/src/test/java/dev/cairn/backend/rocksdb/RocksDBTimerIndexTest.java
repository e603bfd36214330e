package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.backend.TimerIndex;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * Timers kept in RocksDB: the index that orders them is a column family of a timer database beside
 * the subtask's (never checkpointed), filled from the timer state when a backend opens (restored,
 * rescaled or new), and fires them in time order with only a seek position on the heap.
 */
class RocksDBTimerIndexTest {

    private static final String TIMERS = "_timers_event";
    private static final int KEYS = 2_000;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);

    @TempDir
    Path temp;

    /** The timers as the kernel registers them: in the timer state and in the index. */
    private record Timers(InternalMapState<VoidNamespace, Long, Boolean> state, TimerIndex<Long> index) {
    }

    @SuppressWarnings("unchecked")
    private static Timers timers(BackendHarness h) throws Exception {
        StateMetaInfo meta = new StateMetaInfo(TIMERS, "TIMERS", SerializerSnapshotRef.of(Serializers.VOID_NAMESPACE),
                SerializerSnapshotRef.of(Serializers.BOOLEAN), SerializerSnapshotRef.of(Serializers.LONG), false);
        var state = (InternalMapState<VoidNamespace, Long, Boolean>) h.backend.<VoidNamespace>createState(new StateSpec(TIMERS, StateKind.MAP,
                Serializers.VOID_NAMESPACE, Serializers.BOOLEAN, Serializers.LONG, null, null, meta), SerializerCompatibility.COMPATIBLE_AS_IS);
        state.setCurrentNamespace(VoidNamespace.INSTANCE);
        return new Timers(state, h.backend.timerIndex(TIMERS));
    }

    private static void register(BackendHarness h, Timers t, long key, long time) {
        h.key(key);
        t.state().put(time, Boolean.TRUE);
        t.index().add(time, key);
    }

    private static List<TimerIndex.Timer<Long>> pollAll(Timers t, long upTo) {
        List<TimerIndex.Timer<Long>> fired = new ArrayList<>();
        for (TimerIndex.Timer<Long> next; (next = t.index().pollUpTo(upTo)) != null; ) {
            fired.add(next);
        }
        return fired;
    }

    private static final Comparator<TimerIndex.Timer<Long>> ORDER = Comparator.<TimerIndex.Timer<Long>>comparingLong(TimerIndex.Timer::time)
            .thenComparing(TimerIndex.Timer::key);

    @Test
    void timersFireInTimeOrderFromAColumnFamily() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        List<TimerIndex.Timer<Long>> expected = new ArrayList<>();
        Random random = new Random(7);
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work"), new AtomicLong(), RestoreContext.NONE)) {
            Timers t = timers(h);
            for (long k = 0; k < KEYS; k++) {
                long time = random.nextInt(1_000_000) - 500_000; // negative times too
                register(h, t, k, time);
                expected.add(new TimerIndex.Timer<>(time, k));
            }
            // a deleted timer never fires
            h.key(5);
            TimerIndex.Timer<Long> deleted = expected.stream().filter(x -> x.key() == 5).findFirst().orElseThrow();
            t.state().remove(deleted.time());
            t.index().remove(deleted.time(), 5L);
            expected.remove(deleted);
            expected.sort(ORDER);

            assertThat(columnFamilies(h, "")).as("the checkpointed database: the timer state only").containsExactly("default", TIMERS);
            assertThat(columnFamilies(h, "-timers")).as("the timer database beside it").contains(TIMERS);
            assertThat(t.index().pollUpTo(expected.get(0).time() - 1)).as("nothing before the earliest timer").isNull();
            List<TimerIndex.Timer<Long>> firstHalf = pollAll(t, 0);
            assertThat(firstHalf).isSortedAccordingTo(Comparator.comparingLong(TimerIndex.Timer::time))
                    .containsExactlyInAnyOrderElementsOf(expected.stream().filter(x -> x.time() <= 0).toList());
            // a timer registered behind the ones already fired still fires
            register(h, t, KEYS, -1_000_000);
            assertThat(t.index().pollUpTo(0)).isEqualTo(new TimerIndex.Timer<>(-1_000_000L, (long) KEYS));
            assertThat(pollAll(t, Long.MAX_VALUE)).containsExactlyInAnyOrderElementsOf(expected.stream().filter(x -> x.time() > 0).toList());
        }
    }

    @Test
    void aRestoredOrRescaledBackendIndexesExactlyTheTimersOfItsKeyGroups() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        List<TimerIndex.Timer<Long>> all = new ArrayList<>();
        KeyedStateHandle checkpoint;
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work-1"), new AtomicLong(), RestoreContext.NONE)) {
            Timers t = timers(h);
            for (long k = 0; k < KEYS; k++) {
                register(h, t, k, k * 10);
                all.add(new TimerIndex.Timer<>(k * 10, k));
            }
            assertThat(t.index().pollUpTo(5)).as("fired before the checkpoint: its state entry is removed by the kernel too")
                    .isEqualTo(new TimerIndex.Timer<>(0L, 0L));
            h.key(0);
            t.state().remove(0L);
            all.remove(0);
            checkpoint = h.snapshot(1, true);
        }
        // the same key groups (the checkpoint's database opened in place, its index dropped and rebuilt), then half of them
        for (KeyGroupRange range : List.of(ALL, new KeyGroupRange(32, 95))) {
            try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, range, temp.resolve("work-" + range.start()),
                    new AtomicLong(), BackendHarness.restoreFrom(List.of(checkpoint), BackendHarness.reader(storage), false, range,
                    BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM))) {
                Timers t = timers(h);
                assertThat(pollAll(t, Long.MAX_VALUE)).as("timers of key groups %s", range).containsExactlyElementsOf(all.stream()
                        .filter(x -> range.contains(KeyGroups.keyGroupFor(x.key(), BackendHarness.MAX_PARALLELISM))).sorted(ORDER).toList());
            }
        }
    }

    /** The column families of the backend's database, or of the one whose directory has {@code suffix} added. */
    private static List<String> columnFamilies(BackendHarness h, String suffix) throws Exception {
        RocksDBKeyedStateBackend<?> backend = (RocksDBKeyedStateBackend<?>) h.backend;
        try (Options options = new Options()) {
            return RocksDB.listColumnFamilies(options, backend.db().getName() + suffix).stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }
}
