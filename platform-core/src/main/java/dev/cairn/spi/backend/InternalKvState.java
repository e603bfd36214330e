package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ConsumerType;

/** A backend's state for the backend's current key and this state's current namespace. */
@ConsumerType
public interface InternalKvState<N> {
    void setCurrentNamespace(N namespace);

    void clear();

    /** Checks up to {@code entries} stored entries (across keys) against the cleanup filter. */
    default void cleanupSome(int entries) {
    }
}
