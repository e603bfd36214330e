package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;
import java.util.Map;
import java.util.Objects;

/** A map state; {@link #getSerializer()} is the value serializer. */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class MapStateDescriptor<K, V> extends StateDescriptor<MapState<K, V>, V> {
    private final TypeSerializer<K> keySerializer;
    private final Class<K> keyType;

    public MapStateDescriptor(String name, TypeSerializer<K> keySerializer, TypeSerializer<V> valueSerializer) {
        super(name, valueSerializer);
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.keyType = null;
    }

    public MapStateDescriptor(String name, Class<K> keyType, Class<V> valueType) {
        super(name, valueType);
        this.keySerializer = null;
        this.keyType = Objects.requireNonNull(keyType, "keyType");
    }

    public TypeSerializer<K> getKeySerializer() {
        return keySerializer;
    }

    public Class<K> getKeyType() {
        return keyType;
    }

    @Override
    public Kind getKind() {
        return Kind.MAP;
    }
}
