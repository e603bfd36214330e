package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ConsumerType;

@ConsumerType
public interface InternalValueState<N, V> extends InternalKvState<N> {
    V get();

    /** {@code null} clears. */
    void put(V value);
}
