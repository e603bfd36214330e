package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.InternalValueState;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

final class RocksValueState<N, V> extends RocksStateAccess<N> implements InternalValueState<N, V> {
    RocksValueState(RocksDBKeyedStateBackend<?> backend, RocksState state) {
        super(backend, state);
    }

    /** Values are read into this buffer (task thread only): no array per read. */
    private byte[] buffer = new byte[64];

    @Override
    @SuppressWarnings("unchecked")
    public V get() {
        try {
            byte[] row = row();
            int length = backend.db().get(state.columnFamily, row, buffer);
            if (length == RocksDB.NOT_FOUND) {
                return null;
            }
            if (length > buffer.length) {
                buffer = new byte[Math.max(length, 2 * buffer.length)];
                length = backend.db().get(state.columnFamily, row, buffer);
                if (length == RocksDB.NOT_FOUND) {
                    return null;
                }
            }
            V value = (V) Bytes.deserialize(state.valueSerializer, buffer, 0, length);
            if (buffer.length > 64 * 1024) {
                buffer = new byte[64]; // keeps no large value alive between reads
            }
            return value;
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("read", state, e);
        }
    }

    @Override
    public void put(V value) {
        if (value == null) {
            clear();
            return;
        }
        try {
            backend.db().put(state.columnFamily, backend.writeOptions(), direct.key(row()), direct.value(state.valueSerializer, value));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }
}
