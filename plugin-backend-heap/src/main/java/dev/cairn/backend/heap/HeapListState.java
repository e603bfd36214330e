package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalListState;
import java.util.List;

final class HeapListState<N, E> extends HeapStateAccess<N> implements InternalListState<N, E> {
    HeapListState(HeapKeyedStateBackend<?> backend, HeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<E> get() {
        VersionedList list = (VersionedList) read();
        if (list != null && versions().shared(list.version) && list.stream().anyMatch(HeapState::mutable)) {
            // the task may change an element in place while a snapshot writes it
            list = appendable();
        }
        if (list != null) {
            list.exposed = true;
        }
        return (List<E>) list;
    }

    @Override
    public void add(E element) {
        appendable().add(element);
    }

    @Override
    public void addAll(List<E> elements) {
        appendable().addAll(elements);
    }

    /** The current key's list, copied first if a running snapshot or a reader may hold it. */
    private VersionedList appendable() {
        KeyGroupTable table = writableTable();
        Object key = tableKey();
        VersionedList list = (VersionedList) table.get(key);
        if (list == null) {
            list = new VersionedList(versions().current(), List.of());
        } else if (versions().shared(list.version)) {
            // a snapshot may write these elements while the task changes them in place
            list = new VersionedList(versions().current(), list);
            list.replaceAll(state::ownCopy);
        } else if (list.exposed) {
            list = new VersionedList(versions().current(), list);
        }
        table.put(key, list, versions()); // also for a list changed in place: the entry's version records the change
        return list;
    }

    @Override
    public void update(List<E> elements) {
        if (elements == null || elements.isEmpty()) {
            clear();
        } else {
            writableTable().put(tableKey(), new VersionedList(versions().current(), elements), versions());
        }
    }
}
