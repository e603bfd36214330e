package dev.cairn.core.internal.state;

import dev.cairn.spi.backend.InternalListState;
import java.util.ArrayList;
import java.util.List;

/** List semantics with a TTL per element. */
final class TtlListState<N, E> extends TtlStateDecorator<N, InternalListState<N, TtlValue<E>>>
        implements InternalListState<N, E> {

    TtlListState(InternalListState<N, TtlValue<E>> inner, TtlPolicy ttl) {
        super(inner, ttl);
    }

    @Override
    public List<E> get() {
        cleanup();
        List<TtlValue<E>> stored = inner.get();
        if (stored == null) {
            return null;
        }
        List<E> visible = new ArrayList<>(stored.size());
        List<TtlValue<E>> kept = new ArrayList<>(stored.size());
        long now = ttl.now();
        for (TtlValue<E> v : stored) {
            boolean expired = ttl.expired(v);
            if (!expired || ttl.returnExpired()) {
                visible.add(v.value());
            }
            if (!expired) {
                kept.add(ttl.refreshOnRead() ? new TtlValue<>(v.value(), now) : v);
            }
        }
        if (kept.size() != stored.size() || ttl.refreshOnRead()) {
            inner.update(kept);
        }
        return visible.isEmpty() ? null : visible;
    }

    @Override
    public void add(E element) {
        cleanup();
        inner.add(new TtlValue<>(element, ttl.now()));
    }

    @Override
    public void addAll(List<E> elements) {
        cleanup();
        inner.addAll(wrap(elements));
    }

    @Override
    public void update(List<E> elements) {
        cleanup();
        inner.update(elements == null ? null : wrap(elements));
    }

    private List<TtlValue<E>> wrap(List<E> elements) {
        long now = ttl.now();
        return elements.stream().map(e -> new TtlValue<>(e, now)).toList();
    }
}
