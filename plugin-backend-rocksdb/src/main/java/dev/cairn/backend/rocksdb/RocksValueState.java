package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.InternalValueState;
import org.rocksdb.RocksDBException;

final class RocksValueState<N, V> extends RocksStateAccess<N> implements InternalValueState<N, V> {
    RocksValueState(RocksDBKeyedStateBackend<?> backend, RocksState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get() {
        try {
            byte[] bytes = backend.db().get(state.columnFamily, row());
            return bytes == null ? null : (V) Bytes.deserialize(state.valueSerializer, bytes);
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
            backend.db().put(state.columnFamily, backend.writeOptions(), row(), Bytes.serialize(state.valueSerializer, value));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }
}
