package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateBackend;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Keyed state off the Java heap, in Chronicle Map files per state and key group under the
 * subtask's working directory: point access without garbage-collected entries, and state larger
 * than the heap through memory-mapped files.
 */
@Component(service = StateBackend.class, property = "cairn.backend=" + OffHeapStateBackend.NAME)
public final class OffHeapStateBackend implements StateBackend {

    public static final String NAME = "offheap";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    @Override
    public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters) throws Exception {
        OffHeapKeyedStateBackend<K> backend = new OffHeapKeyedStateBackend<>(parameters);
        try {
            new OffHeapRestoreOperation<>(backend, parameters).restore();
        } catch (Exception e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /**
     * Chronicle releases closed maps' memory on a thread of its own and registers a JVM shutdown
     * hook; either would keep this bundle's class loader alive after an update or removal. Both go
     * with the plugin (the releaser releases what is pending first). Jobs closed their maps before.
     */
    @Deactivate
    void deactivate() {
        BackgroundResourceReleaser.stop();
        PriorityHook.clear();
    }
}
