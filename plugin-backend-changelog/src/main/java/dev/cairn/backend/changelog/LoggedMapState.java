package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.InternalMapState;
import java.util.Map;

final class LoggedMapState<N, UK, UV> extends LoggedState<N, InternalMapState<N, UK, UV>> implements InternalMapState<N, UK, UV> {
    private final TypeSerializer<UK> keySerializer;
    private final TypeSerializer<UV> valueSerializer;

    LoggedMapState(InternalMapState<N, UK, UV> inner, LogWriter writer, int index, TypeSerializer<N> namespaceSerializer,
                   TypeSerializer<UK> keySerializer, TypeSerializer<UV> valueSerializer) {
        super(inner, writer, index, namespaceSerializer);
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
    }

    @Override
    public UV get(UK key) {
        return inner.get(key);
    }

    @Override
    public void put(UK key, UV value) {
        inner.put(key, value);
        if (value == null) {
            operand(log(ChangeRecords.MAP_REMOVE), keySerializer, key);
        } else {
            ByteArrayDataOutput out = log(ChangeRecords.MAP_PUT);
            operand(out, keySerializer, key);
            operand(out, valueSerializer, value);
        }
        end();
    }

    @Override
    public void remove(UK key) {
        inner.remove(key);
        operand(log(ChangeRecords.MAP_REMOVE), keySerializer, key);
        end();
    }

    @Override
    public boolean contains(UK key) {
        return inner.contains(key);
    }

    @Override
    public Map<UK, UV> entries() {
        return inner.entries();
    }
}
