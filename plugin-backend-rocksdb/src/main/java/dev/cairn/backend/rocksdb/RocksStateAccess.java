package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.spi.backend.InternalKvState;
import org.rocksdb.RocksDBException;

/** What value, list and map state share: the current row prefix of the backend's key and this namespace. */
abstract class RocksStateAccess<N> implements InternalKvState<N> {
    final RocksDBKeyedStateBackend<?> backend;
    final RocksState state;
    private Object namespace;
    private byte[] namespaceBytes;
    private byte[] prefix;
    private long prefixKeyVersion = -1;
    final DirectRows direct = new DirectRows();

    RocksStateAccess(RocksDBKeyedStateBackend<?> backend, RocksState state) {
        this.backend = backend;
        this.state = state;
        if (state.voidNamespace()) {
            useNamespace(VoidNamespace.INSTANCE);
        }
    }

    @Override
    public void setCurrentNamespace(N ns) {
        useNamespace(ns);
    }

    private void useNamespace(Object value) {
        if (namespaceBytes == null || !value.equals(namespace)) {
            namespace = value;
            namespaceBytes = Bytes.serialize(state.namespaceSerializer, value);
            prefix = null;
        }
    }

    /** The row key of the current key and namespace. */
    final byte[] row() {
        if (namespaceBytes == null) {
            throw new IllegalStateException("State '" + state.name + "' accessed without a namespace");
        }
        if (prefix == null || prefixKeyVersion != backend.keyVersion()) {
            prefix = Bytes.rowPrefix(backend.currentKeyPart(), namespaceBytes);
            prefixKeyVersion = backend.keyVersion();
        }
        return prefix;
    }

    @Override
    public void clear() {
        try {
            if (state.kind == dev.cairn.spi.backend.StateKind.MAP) {
                byte[] start = row();
                backend.db().deleteRange(state.columnFamily, backend.writeOptions(), start, Bytes.prefixEnd(start));
            } else {
                backend.db().delete(state.columnFamily, backend.writeOptions(), row());
            }
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("clear", state, e);
        }
    }

    @Override
    public void cleanupSome(int entries) {
        backend.cleanupSome(state, entries);
    }
}
