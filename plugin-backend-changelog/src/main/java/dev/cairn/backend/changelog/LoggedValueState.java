package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.InternalValueState;

final class LoggedValueState<N, V> extends LoggedState<N, InternalValueState<N, V>> implements InternalValueState<N, V> {
    private final TypeSerializer<V> valueSerializer;

    LoggedValueState(InternalValueState<N, V> inner, LogWriter writer, int index, TypeSerializer<N> namespaceSerializer,
                     TypeSerializer<V> valueSerializer) {
        super(inner, writer, index, namespaceSerializer);
        this.valueSerializer = valueSerializer;
    }

    @Override
    public V get() {
        return inner.get();
    }

    @Override
    public void put(V value) {
        inner.put(value);
        if (value == null) {
            log(ChangeRecords.CLEAR);
        } else {
            operand(log(ChangeRecords.VALUE_PUT), valueSerializer, value);
        }
        end();
    }
}
