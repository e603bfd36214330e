package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.spi.backend.TimerIndex;
import java.nio.charset.StandardCharsets;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The timers of one timer state in a column family of their own, ordered by time: a row is
 * {@code [time, sign bit flipped: 8 bytes][key part]}, with no value. The heap holds only the
 * earliest time known, so the number of timers is bounded by the disk, as the state's is.
 *
 * <p>The index is derived: it is built from the timer state when the backend opens (a restored
 * database's copy is dropped there, whatever key groups it held), and never restored itself.
 */
final class RocksTimerIndex<K> implements TimerIndex<K>, AutoCloseable {

    /** Column families of timer indexes are named with this prefix, which no state name starts with. */
    static final String COLUMN_FAMILY_PREFIX = "\u0000timers-by-time:";
    private static final byte[] NO_VALUE = new byte[0];
    private static final int BATCH = 4096;

    private final RocksDBKeyedStateBackend<K> backend;
    private final ColumnFamilyHandle index;
    /** No timer is earlier; {@code Long.MAX_VALUE} when there is none. A poll seeks from here, past the rows it deleted. */
    private long earliest = Long.MIN_VALUE;

    private RocksTimerIndex(RocksDBKeyedStateBackend<K> backend, ColumnFamilyHandle index) {
        this.backend = backend;
        this.index = index;
    }

    static boolean isIndex(String columnFamily) {
        return columnFamily.startsWith(COLUMN_FAMILY_PREFIX);
    }

    /** A new index of {@code timers}' rows ({@code [key part][namespace][time]}), filled from them. */
    static <K> RocksTimerIndex<K> build(RocksDBKeyedStateBackend<K> backend, RocksState timers) throws RocksDBException {
        ColumnFamilyHandle cf = backend.db().createColumnFamily(new ColumnFamilyDescriptor(
                (COLUMN_FAMILY_PREFIX + timers.name).getBytes(StandardCharsets.UTF_8), backend.columnFamilyOptions()));
        RocksTimerIndex<K> built = new RocksTimerIndex<>(backend, cf);
        try (RocksIterator it = backend.db().newIterator(timers.columnFamily); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] row = it.key();
                Bytes.Row parsed = Bytes.Row.parse(row);
                byte[] keyPart = Bytes.keyPart(parsed.keyGroup(), parsed.key());
                batch.put(cf, row(Bytes.deserialize(Serializers.LONG, parsed.userKey()), keyPart), NO_VALUE);
                if (batch.count() == BATCH) {
                    backend.db().write(backend.writeOptions(), batch);
                    batch.clear();
                }
            }
            it.status();
            backend.db().write(backend.writeOptions(), batch);
        } catch (RocksDBException | RuntimeException e) {
            built.close();
            backend.db().dropColumnFamily(cf);
            throw e;
        }
        return built;
    }

    @Override
    public void add(long time, K key) {
        try {
            backend.db().put(index, backend.writeOptions(), row(time, backend.keyPartOf(key)), NO_VALUE);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB could not add a timer: " + e.getMessage(), e);
        }
        earliest = Math.min(earliest, time);
    }

    @Override
    public void remove(long time, K key) {
        try {
            backend.db().delete(index, backend.writeOptions(), row(time, backend.keyPartOf(key)));
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB could not delete a timer: " + e.getMessage(), e);
        }
    }

    @Override
    public Timer<K> pollUpTo(long maxTime) {
        if (earliest > maxTime) {
            return null;
        }
        try (RocksIterator it = backend.db().newIterator(index)) {
            it.seek(timePrefix(earliest));
            if (!it.isValid()) {
                it.status();
                earliest = Long.MAX_VALUE;
                return null;
            }
            byte[] row = it.key();
            long time = timeOf(row);
            earliest = time;
            if (time > maxTime) {
                return null;
            }
            backend.db().delete(index, backend.writeOptions(), row);
            return new Timer<>(time, backend.keyOf(row, Long.BYTES));
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB could not read its timers: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        index.close();
    }

    private static byte[] row(long time, byte[] keyPart) {
        byte[] row = new byte[Long.BYTES + keyPart.length];
        writeTime(row, time);
        System.arraycopy(keyPart, 0, row, Long.BYTES, keyPart.length);
        return row;
    }

    private static byte[] timePrefix(long time) {
        byte[] prefix = new byte[Long.BYTES];
        writeTime(prefix, time);
        return prefix;
    }

    /** Big-endian with the sign bit flipped, so that byte order is time order, negative times included. */
    private static void writeTime(byte[] into, long time) {
        long bits = time ^ Long.MIN_VALUE;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            into[i] = (byte) bits;
            bits >>>= 8;
        }
    }

    private static long timeOf(byte[] row) {
        long bits = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            bits = (bits << 8) | (row[i] & 0xFF);
        }
        return bits ^ Long.MIN_VALUE;
    }
}
