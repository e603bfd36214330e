package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;

public final class ValueStateDescriptor<T> extends StateDescriptor<ValueState<T>, T> {
    public ValueStateDescriptor(String name, TypeSerializer<T> serializer) {
        super(name, serializer);
    }

    public ValueStateDescriptor(String name, Class<T> type) {
        super(name, type);
    }

    @Override
    public Kind getKind() {
        return Kind.VALUE;
    }
}
