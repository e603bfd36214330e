package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.InternalValueState;

final class OffHeapValueState<N, V> extends OffHeapStateAccess<N> implements InternalValueState<N, V> {
    OffHeapValueState(OffHeapKeyedStateBackend<?> backend, OffHeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get() {
        byte[] bytes = store().get(row());
        return bytes == null ? null : (V) Rows.deserialize(state.valueSerializer, bytes);
    }

    @Override
    public void put(V value) {
        if (value == null) {
            clear();
        } else {
            store().put(row(), Rows.serialize(state.valueSerializer, value));
        }
    }

    @Override
    public void clear() {
        store().remove(row());
    }
}
