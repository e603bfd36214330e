package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateBackend;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import net.openhft.chronicle.core.shutdown.PriorityHook;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Keyed state off the Java heap, in Chronicle Map files per state and key group under the
 * subtask's working directory: point access without garbage-collected entries, and state larger
 * than the heap through memory-mapped files.
 */
@Component(service = StateBackend.class, configurationPid = OffHeapStateBackend.PID, property = "cairn.backend=" + OffHeapStateBackend.NAME)
@Designate(ocd = OffHeapConfiguration.class)
public final class OffHeapStateBackend implements StateBackend {

    public static final String NAME = "offheap";
    static final String PID = "cairn.backend.offheap";
    private static final Logger LOG = Logger.getLogger(OffHeapStateBackend.class.getName());
    /** Where local copies go, in the subtask's working directory. */
    static final String LOCAL_COPIES = "offheap-local-recovery";

    private final boolean localRecovery;
    private final AtomicLong sectionsReadLocally = new AtomicLong();
    private final AtomicLong sectionsFetched = new AtomicLong();

    /** Embedded use (ServiceLoader): local recovery on. */
    public OffHeapStateBackend() {
        this(Map.of());
    }

    /** A refused configuration leaves the default in place rather than taking the backend away from its jobs. */
    @Activate
    public OffHeapStateBackend(Map<String, Object> properties) {
        boolean local;
        try {
            local = localRecovery(properties);
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, using the defaults: " + e.getMessage());
            local = true;
        }
        this.localRecovery = local;
    }

    /** A valid change applies when the backend next starts (the component is activated again). */
    @Modified
    void modified(Map<String, Object> properties) {
        try {
            localRecovery(properties);
            LOG.info("Configuration " + PID + " changed; it applies when the off-heap backend next starts");
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, the backend keeps its current one: " + e.getMessage());
        }
    }

    private static boolean localRecovery(Map<String, Object> properties) {
        Object v = properties.getOrDefault("local-recovery", Boolean.TRUE);
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("local-recovery=" + v + " is not allowed: use true or false");
        };
    }

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
        LocalCopies copies = localRecovery
                ? new LocalCopies(parameters.workingDirectory().resolve(LOCAL_COPIES), sectionsReadLocally, sectionsFetched) : null;
        OffHeapKeyedStateBackend<K> backend = new OffHeapKeyedStateBackend<>(parameters, copies);
        try {
            new OffHeapRestoreOperation<>(backend, parameters, copies).restore();
        } catch (Exception e) {
            backend.close();
            throw e;
        }
        return backend;
    }

    /** With local recovery: the key-group sections restores read from local copies, and those they fetched from snapshot storage. */
    @Override
    public Map<String, Long> metrics() {
        return Map.of("restored-sections-local", sectionsReadLocally.get(), "restored-sections-fetched", sectionsFetched.get());
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
