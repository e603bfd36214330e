package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.InternalListState;
import java.util.List;

final class LoggedListState<N, E> extends LoggedState<N, InternalListState<N, E>> implements InternalListState<N, E> {
    private final TypeSerializer<E> elementSerializer;

    LoggedListState(InternalListState<N, E> inner, LogWriter writer, int index, TypeSerializer<N> namespaceSerializer,
                    TypeSerializer<E> elementSerializer) {
        super(inner, writer, index, namespaceSerializer);
        this.elementSerializer = elementSerializer;
    }

    @Override
    public List<E> get() {
        return inner.get();
    }

    @Override
    public void add(E element) {
        inner.add(element);
        operand(log(ChangeRecords.LIST_ADD), elementSerializer, element);
        end();
    }

    @Override
    public void addAll(List<E> elements) {
        inner.addAll(elements);
        if (!elements.isEmpty()) {
            logElements(ChangeRecords.LIST_ADD_ALL, elements);
        }
    }

    @Override
    public void update(List<E> elements) {
        inner.update(elements);
        if (elements == null || elements.isEmpty()) {
            log(ChangeRecords.CLEAR);
            end();
        } else {
            logElements(ChangeRecords.LIST_UPDATE, elements);
        }
    }

    private void logElements(byte op, List<E> elements) {
        ByteArrayDataOutput out = log(op);
        ChangeRecords.writeVarInt(out, elements.size());
        for (E e : elements) {
            operand(out, elementSerializer, e);
        }
        end();
    }
}
