package dev.cairn.core.internal.state;

import dev.cairn.spi.backend.InternalKvState;

/** What the TTL views of value, list and map state share: the backend state and its policy. */
abstract class TtlStateDecorator<N, S extends InternalKvState<N>> implements InternalKvState<N> {
    final S inner;
    final TtlPolicy ttl;

    TtlStateDecorator(S inner, TtlPolicy ttl) {
        this.inner = inner;
        this.ttl = ttl;
    }

    @Override
    public final void setCurrentNamespace(N namespace) {
        inner.setCurrentNamespace(namespace);
    }

    @Override
    public final void clear() {
        inner.clear();
    }

    /** Incremental cleanup: every access checks a few stored entries. */
    final void cleanup() {
        if (ttl.cleanupSize() > 0) {
            inner.cleanupSome(ttl.cleanupSize());
        }
    }
}
