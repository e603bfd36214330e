package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalValueState;

final class HeapValueState<N, V> extends HeapStateAccess<N> implements InternalValueState<N, V> {
    HeapValueState(HeapKeyedStateBackend<?> backend, HeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get() {
        Object value = read();
        return value == null || !versions().anyRunning() ? (V) value : (V) owned(value);
    }

    /** The task may change what it reads in place (an accumulator does) while a snapshot writes that object. */
    private Object owned(Object value) {
        return HeapState.mutable(value) ? ownedTable().getOwned(tableKey(), versions(), state::ownCopy) : value;
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
