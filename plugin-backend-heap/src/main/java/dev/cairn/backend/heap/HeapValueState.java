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
        if (value == null || !versions().anyRunning() || !HeapState.mutable(value)) {
            return (V) value;
        }
        // the task may change what it reads in place (an accumulator does) while a snapshot writes the object
        return (V) ownedTable().getOwned(tableKey(), versions(), state::ownCopy);
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
