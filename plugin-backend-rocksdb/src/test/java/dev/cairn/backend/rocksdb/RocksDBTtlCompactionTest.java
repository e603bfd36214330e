package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.StateTtlConfig;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksIterator;

/**
 * Compaction-time TTL cleanup: expired entries leave the files when RocksDB compacts them, though
 * nothing reads them. The states return expired values until they are cleaned up, so what a read
 * returns shows what the files hold.
 */
class RocksDBTtlCompactionTest {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 200;
    private static final Duration TTL = Duration.ofSeconds(10);

    @TempDir
    Path temp;
    private LocalFileStorage storage;
    private final AtomicLong clock = new AtomicLong(1_000_000);

    @BeforeEach
    void storage() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
    }

    private static StateTtlConfig ttl(boolean compactionCleanup) {
        StateTtlConfig.Builder b = StateTtlConfig.newBuilder(TTL)
                .setStateVisibility(StateTtlConfig.Visibility.RETURN_EXPIRED_IF_NOT_CLEANED_UP);
        // the clock read for every entry, so the test's clock is the one each decision sees
        return (compactionCleanup ? b.cleanupInRocksdbCompactFilter(1, Duration.ZERO) : b).build();
    }

    private record States(ValueState<String> value, ListState<Long> list, MapState<String, Long> map) {
    }

    private static States states(BackendHarness h, boolean compactionCleanup) throws Exception {
        ValueStateDescriptor<String> v = new ValueStateDescriptor<>("ttl-value", Serializers.STRING);
        v.enableTimeToLive(ttl(compactionCleanup));
        ListStateDescriptor<Long> l = new ListStateDescriptor<>("ttl-list", Serializers.LONG);
        l.enableTimeToLive(ttl(compactionCleanup));
        MapStateDescriptor<String, Long> m = new MapStateDescriptor<>("ttl-map", Serializers.STRING, Serializers.LONG);
        m.enableTimeToLive(ttl(compactionCleanup));
        return new States(h.states.getState(v), h.states.getState(l), h.states.getState(m));
    }

    /** Odd keys written at the start only; even keys again 6 s later. 12 s later the odd keys' entries and the lists' first elements have expired. */
    private void write(BackendHarness h, States s) throws Exception {
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            s.value.update("old-" + k);
            s.list.add(k);
            s.map.put("old", k);
        }
        flush(h);
        clock.addAndGet(6_000);
        for (long k = 0; k < KEYS; k += 2) {
            h.key(k);
            s.value.update("young-" + k);
            s.list.add(-k - 1);
            s.map.put("young", k);
        }
        flush(h);
        clock.addAndGet(6_000);
    }

    /**
     * Two flushes, so the compaction merges two files into one: a single file would be moved to
     * the last level whole, and RocksDB rewrites a young file there only once it is a day old.
     */
    private static void flush(BackendHarness h) throws Exception {
        RocksDBKeyedStateBackend<?> backend = (RocksDBKeyedStateBackend<?>) h.backend;
        try (FlushOptions options = new FlushOptions().setWaitForFlush(true)) {
            for (RocksState s : backend.states().values()) {
                backend.db().flush(options, s.columnFamily);
            }
        }
    }

    private static void compact(BackendHarness h) throws Exception {
        RocksDBKeyedStateBackend<?> backend = (RocksDBKeyedStateBackend<?>) h.backend;
        for (RocksState s : backend.states().values()) {
            backend.db().compactRange(s.columnFamily);
        }
    }

    private static long rows(BackendHarness h, String state) {
        RocksDBKeyedStateBackend<?> backend = (RocksDBKeyedStateBackend<?>) h.backend;
        long n = 0;
        try (RocksIterator it = backend.db().newIterator(backend.states().get(state).columnFamily)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
        }
        return n;
    }

    private void assertOnlyLiveEntriesLeft(BackendHarness h, States s) throws Exception {
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            boolean young = k % 2 == 0;
            assertThat(s.value.value()).as("value of key %d", k).isEqualTo(young ? "young-" + k : null);
            assertThat(s.list.get()).as("list of key %d", k).containsExactlyElementsOf(young ? List.of(-k - 1) : List.of());
            assertThat(s.map.get("old")).as("old map entry of key %d", k).isNull();
            assertThat(s.map.get("young")).as("young map entry of key %d", k).isEqualTo(young ? k : null);
        }
    }

    @Test
    void compactionsDropWhatExpiredAndKeepWhatLives() throws Exception {
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work"), clock, RestoreContext.NONE)) {
            States s = states(h, true);
            write(h, s);
            assertThat(rows(h, "ttl-value")).isEqualTo(KEYS);
            h.key(1);
            assertThat(s.value.value()).as("an expired value nobody cleaned up yet").isEqualTo("old-1");

            compact(h);

            assertThat(rows(h, "ttl-value")).isEqualTo(KEYS / 2);
            assertThat(rows(h, "ttl-list")).isEqualTo(KEYS / 2);
            assertThat(rows(h, "ttl-map")).isEqualTo(KEYS / 2);
            assertOnlyLiveEntriesLeft(h, s);
        }
    }

    @Test
    void withoutCompactionCleanupCompactionsKeepExpiredEntries() throws Exception {
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work"), clock, RestoreContext.NONE)) {
            States s = states(h, false);
            write(h, s);
            compact(h);
            assertThat(rows(h, "ttl-value")).isEqualTo(KEYS);
            assertThat(rows(h, "ttl-map")).isEqualTo(KEYS + KEYS / 2);
            h.key(1);
            assertThat(s.value.value()).isEqualTo("old-1");
            assertThat(s.list.get()).containsExactly(1L);
        }
    }

    @Test
    void aDatabaseOpenedFromACheckpointDropsWhatExpiredToo() throws Exception {
        KeyedStateHandle checkpoint;
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work-1"), clock, RestoreContext.NONE)) {
            write(h, states(h, false));
            checkpoint = h.snapshot(1, true);
        }
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, ALL, temp.resolve("work-2"), clock,
                BackendHarness.restoreFrom(storage, List.of(checkpoint), true))) {
            States s = states(h, true);
            compact(h);
            assertThat(rows(h, "ttl-value")).isEqualTo(KEYS / 2);
            assertOnlyLiveEntriesLeft(h, s);
        }
    }
}
