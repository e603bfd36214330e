package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.TtlCompactionCleanup;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.FlinkCompactionFilter;
import org.rocksdb.MutableColumnFamilyOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Drops expired TTL state while RocksDB compacts, with the compaction filter FRocksDB carries for
 * this (it reads the timestamp each stored element starts with, so nothing is deserialised).
 *
 * <p>A column family's filter factory has to be in its options when the family is created or
 * opened, which for a restored database is before any state says whether it has a TTL. So every
 * state's family gets its own options with a factory that keeps everything until
 * {@link #configure} is called for it.
 */
final class TtlCompactionFilters implements AutoCloseable {

    private final ColumnFamilyOptions shared;
    private final Map<String, Installed> installed = new ConcurrentHashMap<>();

    TtlCompactionFilters(ColumnFamilyOptions shared) {
        this.shared = shared;
    }

    /** Options for the column family of state {@code name}: the shared ones with a filter of its own. */
    ColumnFamilyOptions optionsFor(String name) {
        return installed.computeIfAbsent(name, n -> new Installed(shared)).options;
    }

    /** Starts dropping expired elements of {@code state}; a second call for the same state keeps the first. */
    void configure(RocksDB db, RocksState state, TtlCompactionCleanup cleanup) {
        Installed filter = installed.get(state.name);
        if (filter == null || filter.configured) {
            return;
        }
        filter.clock.source = cleanup.clock();
        FlinkCompactionFilter.Config config = switch (state.kind) {
            case VALUE -> FlinkCompactionFilter.Config.createForValue(cleanup.ttlMillis(), cleanup.queryClockAfterEntries());
            // a map row's value is the map value alone, its timestamp first
            case MAP -> FlinkCompactionFilter.Config.createNotList(FlinkCompactionFilter.StateType.Value, 0,
                    cleanup.ttlMillis(), cleanup.queryClockAfterEntries());
            case LIST -> listConfig(cleanup);
        };
        filter.factory.configure(config);
        filter.configured = true;
        try {
            db.setOptions(state.columnFamily, MutableColumnFamilyOptions.builder()
                    .setPeriodicCompactionSeconds(cleanup.periodicRewrite().toSeconds()).build());
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("set the periodic compaction of", state, e);
        }
    }

    /**
     * The filter judges a list by the timestamp of its first element before it asks
     * {@link ExpiredListHead} where the live part begins. FRocksDB's public factory places that
     * timestamp at the list's first byte, where Flink's list format has it; ours begins with the
     * element's length, one byte for elements under 128 bytes, so the timestamp is at offset 1.
     * Only the private constructor takes an offset. A first element of 128 bytes or more has a
     * two-byte length: the filter then reads a timestamp beyond any clock and keeps the list
     * (such a list is cleaned when read), never dropping a live element.
     */
    private static FlinkCompactionFilter.Config listConfig(TtlCompactionCleanup cleanup) {
        try {
            Constructor<FlinkCompactionFilter.Config> config = FlinkCompactionFilter.Config.class.getDeclaredConstructor(
                    FlinkCompactionFilter.StateType.class, int.class, long.class, long.class, int.class,
                    FlinkCompactionFilter.ListElementFilterFactory.class);
            config.setAccessible(true);
            FlinkCompactionFilter.ListElementFilterFactory head = ExpiredListHead::new;
            return config.newInstance(FlinkCompactionFilter.StateType.List, 1, cleanup.ttlMillis(), cleanup.queryClockAfterEntries(), -1, head);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("This RocksDB library (FRocksDB " + RocksDB.rocksdbVersion()
                    + ") cannot clean up TTL list state while compacting: " + e, e);
        }
    }

    /** Once the database has closed. */
    @Override
    public void close() {
        List<Installed> all = new ArrayList<>(installed.values());
        installed.clear();
        for (Installed i : all) {
            i.options.close();
            i.factory.close();
        }
    }

    /** What a state's family was given; the clock is set once the state says where its timestamps come from. */
    private static final class Installed {
        final StateClock clock = new StateClock();
        final FlinkCompactionFilter.FlinkCompactionFilterFactory factory = new FlinkCompactionFilter.FlinkCompactionFilterFactory(clock);
        final ColumnFamilyOptions options;
        volatile boolean configured;

        Installed(ColumnFamilyOptions shared) {
            // RocksDB compacts families with a filter every 30 days unless told otherwise; a state without TTL has no reason to
            this.options = new ColumnFamilyOptions(shared).setCompactionFilterFactory(factory).setPeriodicCompactionSeconds(0);
        }
    }

    private static final class StateClock implements FlinkCompactionFilter.TimeProvider {
        volatile LongSupplier source = () -> 0L;

        @Override
        public long currentTimestamp() {
            return source.getAsLong();
        }
    }

    /**
     * Where the live part of a stored list begins: the elements ({@code [varint length][8-byte
     * timestamp][value]}) before the first live one are dropped, as Flink does (elements are
     * appended, so the oldest come first; an expired element behind a live one goes when the list
     * is read). Anything unexpected keeps the whole list.
     */
    static final class ExpiredListHead implements FlinkCompactionFilter.ListElementFilter {
        @Override
        public int nextUnexpiredOffset(byte[] list, long ttl, long now) {
            int[] pos = {0};
            while (pos[0] < list.length) {
                int start = pos[0];
                int length;
                try {
                    length = Bytes.readVarInt(list, pos);
                } catch (RuntimeException e) {
                    return 0;
                }
                if (length < Long.BYTES || pos[0] + length > list.length) {
                    return 0;
                }
                long timestamp = readLong(list, pos[0]);
                if (timestamp + ttl > now) {
                    return start;
                }
                pos[0] += length;
            }
            return list.length;
        }

        private static long readLong(byte[] b, int at) {
            long v = 0;
            for (int i = 0; i < Long.BYTES; i++) {
                v = (v << 8) | (b[at + i] & 0xFF);
            }
            return v;
        }
    }
}
