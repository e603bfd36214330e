package dev.cairn.core.internal.state;

import dev.cairn.spi.backend.InternalValueState;

/** Value semantics over a backend value of {@link TtlValue}. */
final class TtlValueState<N, T> extends TtlStateDecorator<N, InternalValueState<N, TtlValue<T>>>
        implements InternalValueState<N, T> {

    TtlValueState(InternalValueState<N, TtlValue<T>> inner, TtlPolicy ttl) {
        super(inner, ttl);
    }

    @Override
    public T get() {
        cleanup();
        TtlValue<T> v = inner.get();
        if (v == null) {
            return null;
        }
        if (ttl.expired(v)) {
            if (ttl.returnExpired()) {
                return v.value();
            }
            inner.put(null);
            return null;
        }
        if (ttl.refreshOnRead()) {
            inner.put(new TtlValue<>(v.value(), ttl.now()));
        }
        return v.value();
    }

    @Override
    public void put(T value) {
        cleanup();
        inner.put(value == null ? null : new TtlValue<>(value, ttl.now()));
    }
}
