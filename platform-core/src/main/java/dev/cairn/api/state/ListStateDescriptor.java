package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;

/** A list state; the serializer is the element serializer. Also describes operator list state. */
public final class ListStateDescriptor<T> extends StateDescriptor<ListState<T>, T> {
    public ListStateDescriptor(String name, TypeSerializer<T> elementSerializer) {
        super(name, elementSerializer);
    }

    public ListStateDescriptor(String name, Class<T> elementType) {
        super(name, elementType);
    }

    @Override
    public Kind getKind() {
        return Kind.LIST;
    }
}
