package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalKvState;

/** Access to one heap state for the backend's current key and this state's current namespace. */
abstract class HeapStateAccess<N> implements InternalKvState<N> {
    private final HeapKeyedStateBackend<?> backend;
    final HeapState state;
    private Object namespace;

    HeapStateAccess(HeapKeyedStateBackend<?> backend, HeapState state) {
        this.backend = backend;
        this.state = state;
    }

    @Override
    public void setCurrentNamespace(N namespace) {
        this.namespace = namespace;
    }

    final Object tableKey() {
        Object key = backend.getCurrentKey();
        if (key == null) {
            throw new IllegalStateException("State '" + state.name + "' accessed without a current key");
        }
        return state.voidNamespace() ? key : new NamespacedKey(key, namespace);
    }

    final Object read() {
        return state.tables[backend.currentLocalKeyGroup()].get(tableKey());
    }

    /** The current key group's table, for a read that may store a copy (not a change). */
    final KeyGroupTable ownedTable() {
        return state.tables[backend.currentLocalKeyGroup()];
    }

    /** The current key group's table, about to change. */
    final KeyGroupTable writableTable() {
        int kg = backend.currentLocalKeyGroup();
        backend.dirty().touch(kg);
        return state.tables[kg];
    }

    final CopyOnWriteVersions versions() {
        return backend.versions();
    }

    @Override
    public void clear() {
        if (read() != null) {
            writableTable().remove(tableKey(), versions());
        }
    }

    @Override
    public void cleanupSome(int entries) {
        state.cleanupSome(entries, backend.versions(), backend.dirty());
    }
}
