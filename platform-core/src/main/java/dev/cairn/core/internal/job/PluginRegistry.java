package dev.cairn.core.internal.job;

import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.util.Optional;
import java.util.Set;

/** Where the kernel finds plugins by name: OSGi services on the platform, ServiceLoader when embedded. */
public interface PluginRegistry {
    Optional<StateBackend> backend(String name);

    Optional<SnapshotStorageProvider> storage(String name);

    Set<String> backendNames();

    Set<String> storageNames();

    /** A snapshot format plugin, looked up at each use. */
    Optional<SnapshotFormat> format(String name);

    Set<String> formatNames();

    /** Whether the backends this registry gives are wrapped by the changelog. */
    default boolean changelog() {
        return false;
    }
}
