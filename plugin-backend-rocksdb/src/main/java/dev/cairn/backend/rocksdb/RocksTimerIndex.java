package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.spi.backend.TimerIndex;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The timers of one timer state in a column family of their own, ordered by time: a row is
 * {@code [time, sign bit flipped: 8 bytes][key part]}, with no value. The heap holds only where
 * the next poll starts, so the number of timers is bounded by the disk, as the state's is.
 *
 * <p>The index is derived: it lives in the subtask's timer database (never checkpointed), built
 * from the timer state when the backend opens, whatever the state was restored from.
 */
final class RocksTimerIndex<K> implements TimerIndex<K>, AutoCloseable {

    private static final byte[] NO_VALUE = new byte[0];
    private static final int BATCH = 4096;

    private final RocksDBKeyedStateBackend<K> backend;
    private final RocksDB db;
    private final ColumnFamilyHandle index;
    /**
     * No timer's row sorts before it ({@code null}: none is left). A poll seeks here, so the
     * deletions of timers fired before are never walked over again.
     */
    private byte[] resumeAt = new byte[0];

    private RocksTimerIndex(RocksDBKeyedStateBackend<K> backend, RocksDB db, ColumnFamilyHandle index) {
        this.backend = backend;
        this.db = db;
        this.index = index;
    }

    /** A new index in {@code db} of {@code timers}' rows ({@code [key part][namespace][time]}), filled from them. */
    static <K> RocksTimerIndex<K> build(RocksDBKeyedStateBackend<K> backend, RocksDB db, RocksState timers) throws RocksDBException {
        ColumnFamilyHandle cf = db.createColumnFamily(new ColumnFamilyDescriptor(timers.name.getBytes(StandardCharsets.UTF_8),
                backend.columnFamilyOptions()));
        try (RocksIterator it = backend.db().newIterator(timers.columnFamily); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                Bytes.Row parsed = Bytes.Row.parse(it.key());
                batch.put(cf, row(Bytes.deserialize(Serializers.LONG, parsed.userKey()), Bytes.keyPart(parsed.keyGroup(), parsed.key())), NO_VALUE);
                if (batch.count() == BATCH) {
                    db.write(backend.writeOptions(), batch);
                    batch.clear();
                }
            }
            it.status();
            db.write(backend.writeOptions(), batch);
        } catch (RocksDBException | RuntimeException e) {
            try {
                db.dropColumnFamily(cf);
            } catch (RocksDBException dropped) {
                e.addSuppressed(dropped);
            } finally {
                cf.close();
            }
            throw e;
        }
        return new RocksTimerIndex<>(backend, db, cf);
    }

    @Override
    public void add(long time, K key) {
        byte[] row = row(time, backend.keyPartOf(key));
        try {
            db.put(index, backend.writeOptions(), row, NO_VALUE);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB could not add a timer: " + e.getMessage(), e);
        }
        if (resumeAt == null || Arrays.compareUnsigned(row, resumeAt) < 0) {
            resumeAt = row;
        }
    }

    @Override
    public void remove(long time, K key) {
        try {
            db.delete(index, backend.writeOptions(), row(time, backend.keyPartOf(key)));
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB could not delete a timer: " + e.getMessage(), e);
        }
    }

    @Override
    public Timer<K> pollUpTo(long maxTime) {
        if (resumeAt == null || (resumeAt.length >= Long.BYTES && timeOf(resumeAt) > maxTime)) {
            return null;
        }
        try (RocksIterator it = db.newIterator(index)) {
            it.seek(resumeAt);
            if (!it.isValid()) {
                it.status();
                resumeAt = null;
                return null;
            }
            byte[] row = it.key();
            resumeAt = row;
            long time = timeOf(row);
            if (time > maxTime) {
                return null;
            }
            db.delete(index, backend.writeOptions(), row);
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
        long bits = time ^ Long.MIN_VALUE; // big-endian with the sign bit flipped: byte order is time order, negative times included
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            row[i] = (byte) bits;
            bits >>>= 8;
        }
        System.arraycopy(keyPart, 0, row, Long.BYTES, keyPart.length);
        return row;
    }

    private static long timeOf(byte[] row) {
        long bits = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            bits = (bits << 8) | (row[i] & 0xFF);
        }
        return bits ^ Long.MIN_VALUE;
    }
}
