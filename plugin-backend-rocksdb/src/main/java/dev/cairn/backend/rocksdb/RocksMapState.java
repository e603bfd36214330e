package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.InternalMapState;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** One row per user key under the prefix of the current key and namespace. */
final class RocksMapState<N, UK, UV> extends RocksStateAccess<N> implements InternalMapState<N, UK, UV> {
    RocksMapState(RocksDBKeyedStateBackend<?> backend, RocksState state) {
        super(backend, state);
    }

    private byte[] userRow(UK key) {
        return Bytes.concat(row(), Bytes.serialize(state.mapKeySerializer, key));
    }

    @Override
    @SuppressWarnings("unchecked")
    public UV get(UK key) {
        try {
            byte[] bytes = backend.db().get(state.columnFamily, userRow(key));
            return bytes == null ? null : (UV) Bytes.deserialize(state.valueSerializer, bytes);
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("read", state, e);
        }
    }

    @Override
    public void put(UK key, UV value) {
        if (value == null) {
            remove(key);
            return;
        }
        try {
            backend.db().put(state.columnFamily, backend.writeOptions(), direct.key(row(), state.mapKeySerializer, key),
                    direct.value(state.valueSerializer, value));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }

    @Override
    public void remove(UK key) {
        try {
            backend.db().delete(state.columnFamily, backend.writeOptions(), userRow(key));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }

    @Override
    public boolean contains(UK key) {
        return get(key) != null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<UK, UV> entries() {
        byte[] prefix = row();
        Map<UK, UV> result = new LinkedHashMap<>();
        try (RocksIterator it = backend.db().newIterator(state.columnFamily)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!Bytes.startsWith(k, prefix)) {
                    break;
                }
                result.put((UK) Bytes.deserialize(state.mapKeySerializer, k, prefix.length, k.length - prefix.length),
                        (UV) Bytes.deserialize(state.valueSerializer, it.value()));
            }
        }
        return result;
    }
}
