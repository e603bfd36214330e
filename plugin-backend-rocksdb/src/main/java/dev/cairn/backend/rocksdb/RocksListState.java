package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.InternalListState;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;

/** Elements appended with RocksDB's merge operator (a plain byte append): no read before a write. */
final class RocksListState<N, E> extends RocksStateAccess<N> implements InternalListState<N, E> {
    RocksListState(RocksDBKeyedStateBackend<?> backend, RocksState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<E> get() {
        try {
            byte[] bytes = backend.db().get(state.columnFamily, row());
            if (bytes == null) {
                return null;
            }
            return (List<E>) Bytes.deserializeElements(state.valueSerializer, bytes);
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("read", state, e);
        }
    }

    @Override
    public void add(E element) {
        try {
            backend.db().merge(state.columnFamily, backend.writeOptions(), direct.key(row()), direct.listElement(state.valueSerializer, element));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }

    @Override
    public void addAll(List<E> elements) {
        if (!elements.isEmpty()) {
            merge(encode(elements));
        }
    }

    @Override
    public void update(List<E> elements) {
        if (elements == null || elements.isEmpty()) {
            clear();
            return;
        }
        try {
            backend.db().put(state.columnFamily, backend.writeOptions(), row(), encode(elements));
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }

    private byte[] encode(List<E> elements) {
        List<byte[]> raw = new ArrayList<>(elements.size());
        for (E e : elements) {
            raw.add(Bytes.serialize(state.valueSerializer, e));
        }
        return Bytes.joinElements(raw);
    }

    private void merge(byte[] bytes) {
        try {
            backend.db().merge(state.columnFamily, backend.writeOptions(), row(), bytes);
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("write", state, e);
        }
    }
}
