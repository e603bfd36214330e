package dev.cairn.spi.backend;

import org.osgi.annotation.versioning.ConsumerType;

/** A state backend plugin, registered as a service with property {@code cairn.backend=<name>}. */
@ConsumerType
public interface StateBackend {
    String name();

    /**
     * Whether its keyed backends take native snapshots ({@link KeyedStateBackend#snapshot}), incremental for
     * checkpoints; else every snapshot is written by the kernel from {@link KeyedStateBackend#captureEntries()}.
     */
    boolean supportsIncremental();

    <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters) throws Exception;

    /** Gauges of the backend as a whole (memory held, …), by name; the console shows them. */
    default java.util.Map<String, Long> metrics() {
        return java.util.Map.of();
    }
}
