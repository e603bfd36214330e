package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalListState;
import java.util.HashMap;
import java.util.List;

final class HeapListState<N, E> extends HeapStateAccess<N> implements InternalListState<N, E> {
    HeapListState(HeapKeyedStateBackend<?> backend, HeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<E> get() {
        return (List<E>) read();
    }

    @Override
    public void add(E element) {
        addAll(List.of(element));
    }

    @Override
    public void addAll(List<E> elements) {
        HashMap<Object, Object> map = writableMap();
        Object key = tableKey();
        VersionedList list = (VersionedList) map.get(key);
        if (list == null || versions().shared(list.version)) {
            // a running snapshot may be reading the old list: never append to it in place
            list = list == null ? new VersionedList(versions().current(), elements) : copyWith(list, elements);
            map.put(key, list);
        } else {
            list.addAll(elements);
        }
    }

    private VersionedList copyWith(VersionedList old, List<E> more) {
        VersionedList copy = new VersionedList(versions().current(), old);
        copy.addAll(more);
        return copy;
    }

    @Override
    public void update(List<E> elements) {
        if (elements == null || elements.isEmpty()) {
            clear();
        } else {
            writableMap().put(tableKey(), new VersionedList(versions().current(), elements));
        }
    }
}
