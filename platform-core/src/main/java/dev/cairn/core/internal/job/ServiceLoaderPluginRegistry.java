package dev.cairn.core.internal.job;

import dev.cairn.core.internal.storage.LocalFileStorageProvider;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** Plugins on the class path (embedded use, tests, benchmarks); the {@code file} storage is built in. */
public final class ServiceLoaderPluginRegistry implements PluginRegistry {

    private final Map<String, StateBackend> backends = new TreeMap<>();
    private final Map<String, SnapshotStorageProvider> storages = new TreeMap<>();
    private final Map<String, SnapshotFormat> formats = new TreeMap<>();

    public ServiceLoaderPluginRegistry(ClassLoader classLoader) {
        ServiceLoader.load(StateBackend.class, classLoader).forEach(b -> backends.put(b.name(), b));
        storages.put(LocalFileStorageProvider.NAME, new LocalFileStorageProvider());
        ServiceLoader.load(SnapshotStorageProvider.class, classLoader).forEach(s -> storages.put(s.name(), s));
        ServiceLoader.load(SnapshotFormat.class, classLoader).forEach(f -> formats.put(f.name(), f));
    }

    @Override
    public Optional<StateBackend> backend(String name) {
        return Optional.ofNullable(backends.get(name));
    }

    @Override
    public Optional<SnapshotStorageProvider> storage(String name) {
        return Optional.ofNullable(storages.get(name));
    }

    @Override
    public Set<String> backendNames() {
        return backends.keySet();
    }

    @Override
    public Set<String> storageNames() {
        return storages.keySet();
    }

    @Override
    public Optional<SnapshotFormat> format(String name) {
        return Optional.ofNullable(formats.get(name));
    }

    @Override
    public Set<String> formatNames() {
        return formats.keySet();
    }
}
