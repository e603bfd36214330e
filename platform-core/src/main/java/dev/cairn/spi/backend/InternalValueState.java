package dev.cairn.spi.backend;

public interface InternalValueState<N, V> extends InternalKvState<N> {
    V get();

    /** {@code null} clears. */
    void put(V value);
}
