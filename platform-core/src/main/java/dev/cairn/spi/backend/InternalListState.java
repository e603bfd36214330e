package dev.cairn.spi.backend;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

@ConsumerType
public interface InternalListState<N, E> extends InternalKvState<N> {
    /** The elements, or {@code null} when absent; the caller must not modify the list. */
    List<E> get();

    void add(E element);

    void addAll(List<E> elements);

    /** Replaces the list; empty or {@code null} clears. */
    void update(List<E> elements);
}
