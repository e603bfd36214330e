package dev.cairn.backend.heap;

import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateBackend;
import org.osgi.service.component.annotations.Component;

/** Keyed state as Java objects on the heap, in copy-on-write tables per key group. */
@Component(service = StateBackend.class, property = "cairn.backend=" + HeapStateBackend.NAME)
public final class HeapStateBackend implements StateBackend {

    public static final String NAME = "heap";

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
        HeapKeyedStateBackend<K> backend = new HeapKeyedStateBackend<>(parameters);
        try {
            new HeapRestoreOperation<>(backend, parameters).restore();
        } catch (Exception e) {
            backend.close();
            throw e;
        }
        return backend;
    }
}
