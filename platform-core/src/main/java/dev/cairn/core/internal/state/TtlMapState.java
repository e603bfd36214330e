package dev.cairn.core.internal.state;

import dev.cairn.spi.backend.InternalMapState;
import java.util.LinkedHashMap;
import java.util.Map;

/** Map semantics with a TTL per entry. */
final class TtlMapState<N, K, V> extends TtlStateDecorator<N, InternalMapState<N, K, TtlValue<V>>>
        implements InternalMapState<N, K, V> {

    TtlMapState(InternalMapState<N, K, TtlValue<V>> inner, TtlPolicy ttl) {
        super(inner, ttl);
    }

    @Override
    public V get(K key) {
        cleanup();
        return visible(key, inner.get(key));
    }

    private V visible(K key, TtlValue<V> v) {
        if (v == null) {
            return null;
        }
        if (ttl.expired(v)) {
            if (ttl.returnExpired()) {
                return v.value();
            }
            inner.remove(key);
            return null;
        }
        if (ttl.refreshOnRead()) {
            inner.put(key, new TtlValue<>(v.value(), ttl.now()));
        }
        return v.value();
    }

    @Override
    public void put(K key, V value) {
        cleanup();
        inner.put(key, new TtlValue<>(value, ttl.now()));
    }

    @Override
    public void remove(K key) {
        inner.remove(key);
    }

    @Override
    public boolean contains(K key) {
        return get(key) != null;
    }

    @Override
    public Map<K, V> entries() {
        cleanup();
        Map<K, V> result = new LinkedHashMap<>();
        inner.entries().forEach((k, v) -> {
            V value = visible(k, v);
            if (value != null) {
                result.put(k, value);
            }
        });
        return result;
    }
}
