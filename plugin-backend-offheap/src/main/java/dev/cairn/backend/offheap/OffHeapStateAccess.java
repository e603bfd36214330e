package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.spi.backend.InternalKvState;

/** What value, list and map state share: the row of the backend's current key and this namespace, in its key group's store. */
abstract class OffHeapStateAccess<N> implements InternalKvState<N> {
    final OffHeapKeyedStateBackend<?> backend;
    final OffHeapState state;
    private Object namespace;
    private byte[] namespaceBytes;
    private byte[] prefix;
    private long prefixKeyVersion = -1;

    OffHeapStateAccess(OffHeapKeyedStateBackend<?> backend, OffHeapState state) {
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
            namespaceBytes = Rows.serialize(state.namespaceSerializer, value);
            prefix = null;
        }
    }

    /** The row key of the current key and namespace. */
    final byte[] row() {
        if (namespaceBytes == null) {
            throw new IllegalStateException("State '" + state.name + "' accessed without a namespace");
        }
        if (prefix == null || prefixKeyVersion != backend.keyVersion()) {
            prefix = Rows.prefix(backend.currentKeyBytes(), namespaceBytes);
            prefixKeyVersion = backend.keyVersion();
        }
        return prefix;
    }

    final KeyGroupStore store() {
        return state.stores[backend.currentLocalKeyGroup()];
    }

    @Override
    public void cleanupSome(int entries) {
        state.cleanupSome(entries);
    }
}
