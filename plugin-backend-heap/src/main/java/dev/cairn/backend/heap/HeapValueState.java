package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalValueState;

final class HeapValueState<N, V> extends HeapStateAccess<N> implements InternalValueState<N, V> {
    HeapValueState(HeapKeyedStateBackend<?> backend, HeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get() {
        return (V) read();
    }

    @Override
    public void put(V value) {
        if (value == null) {
            clear();
        } else {
            writableTable().put(tableKey(), value, versions());
        }
    }
}
