package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.InternalListState;
import java.util.ArrayList;
import java.util.List;

/** A list is one row of its elements' bytes; an append rewrites the row with the element added. */
final class OffHeapListState<N, E> extends OffHeapStateAccess<N> implements InternalListState<N, E> {
    OffHeapListState(OffHeapKeyedStateBackend<?> backend, OffHeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<E> get() {
        byte[] bytes = store().get(row());
        if (bytes == null) {
            return null;
        }
        List<E> list = new ArrayList<>();
        for (byte[] e : Rows.elements(bytes)) {
            list.add((E) Rows.deserialize(state.valueSerializer, e));
        }
        return list;
    }

    @Override
    public void add(E element) {
        byte[] row = row();
        KeyGroupStore store = store();
        store.put(row, Rows.append(store.get(row), Rows.serialize(state.valueSerializer, element)));
    }

    @Override
    public void addAll(List<E> elements) {
        if (elements.isEmpty()) {
            return;
        }
        byte[] row = row();
        KeyGroupStore store = store();
        byte[] bytes = store.get(row);
        for (E e : elements) {
            bytes = Rows.append(bytes, Rows.serialize(state.valueSerializer, e));
        }
        store.put(row, bytes);
    }

    @Override
    public void update(List<E> elements) {
        if (elements == null || elements.isEmpty()) {
            clear();
            return;
        }
        List<byte[]> raw = new ArrayList<>(elements.size());
        for (E e : elements) {
            raw.add(Rows.serialize(state.valueSerializer, e));
        }
        store().put(row(), Rows.join(raw));
    }

    @Override
    public void clear() {
        store().remove(row());
    }
}
