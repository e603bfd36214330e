package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateBackend;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.rocksdb.RocksDB;

/** Keyed state in embedded RocksDB: state larger than memory, memory bounded by configuration. */
@Component(service = StateBackend.class, configurationPid = RocksDBStateBackend.PID, property = "cairn.backend=" + RocksDBStateBackend.NAME)
@Designate(ocd = RocksDBConfiguration.class)
public final class RocksDBStateBackend implements StateBackend {

    public static final String NAME = "rocksdb";
    static final String PID = "cairn.backend.rocksdb";
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(RocksDBStateBackend.class.getName());

    static {
        RocksDB.loadLibrary();
    }

    private final RocksDBResources resources;
    private final boolean localRecovery;
    private final BackendCounters counters = new BackendCounters();
    private final java.util.concurrent.locks.ReadWriteLock lifecycle = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private boolean stopped;

    /** Embedded use (ServiceLoader): the default memory budget. */
    public RocksDBStateBackend() {
        this(Map.of());
    }

    /** A refused configuration leaves the defaults in place rather than taking the backend away from its jobs. */
    @Activate
    public RocksDBStateBackend(Map<String, Object> properties) {
        MemoryBudget budget;
        boolean local;
        try {
            budget = MemoryBudget.of(properties);
            local = localRecovery(properties);
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, using the defaults: " + e.getMessage());
            budget = MemoryBudget.of(Map.of());
            local = true;
        }
        this.localRecovery = local;
        this.resources = new RocksDBResources(budget.cacheMb() * 1024L * 1024, budget.writeBufferMb() * 1024L * 1024);
    }

    /** Memory is shared by running instances: a valid change applies when the backend next starts. */
    @Modified
    void modified(Map<String, Object> properties) {
        try {
            MemoryBudget.of(properties);
            localRecovery(properties);
            LOG.info("Configuration " + PID + " changed; it applies when the RocksDB backend next starts");
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused, the backend keeps its current one: " + e.getMessage());
        }
    }

    record MemoryBudget(int cacheMb, int writeBufferMb) {
        static MemoryBudget of(Map<String, Object> properties) {
            int cacheMb = megabytes(properties, "block-cache-mb", 256, 8);
            int writeMb = megabytes(properties, "write-buffer-mb", 64, 4);
            if (writeMb > cacheMb) {
                throw new IllegalArgumentException("write-buffer-mb=" + writeMb + " is not allowed: use at most block-cache-mb (" + cacheMb
                        + "), which the write buffers are charged to");
            }
            return new MemoryBudget(cacheMb, writeMb);
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

    private static int megabytes(Map<String, Object> properties, String name, int defaultValue, int min) {
        Object v = properties.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            int n = v instanceof Number num ? num.intValue() : Integer.parseInt(v.toString().trim());
            if (n >= min && n <= 1_048_576) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(name + "=" + v + " is not allowed: use an integer from " + min + " to 1048576 (MiB)");
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
        LocalRecovery local = new LocalRecovery(localRecovery ? RocksDBKeyedStateBackend.localRecoveryRoot(parameters) : null);
        // the shared native options must not be freed while a database is being opened on them
        lifecycle.readLock().lock();
        try {
            if (stopped) {
                throw new IllegalStateException("The RocksDB backend of this bundle revision has stopped");
            }
            return new RocksRestoreOperation<>(parameters, resources, local, counters).createBackend();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /**
     * The shared memory: what the block cache holds now (memtables charged to it included) and the
     * configured bounds; how restores of native checkpoints placed their files; and how many checkpoints were copied whole.
     */
    @Override
    public Map<String, Long> metrics() {
        if (!resources.retain()) { // the cache is freed: nothing to report
            return Map.of();
        }
        try {
            return Map.of("block-cache-used-bytes", resources.cacheUsage(), "block-cache-capacity-bytes", resources.cacheCapacity(),
                "write-buffer-capacity-bytes", resources.writeBufferCapacity(),
                "restores-from-local-copy", counters.fromLocalCopy().get(), "restores-fetched", counters.fetched().get(),
                "checkpoints-copied-whole", counters.wholeCopies().get());
        } finally {
            resources.release();
        }
    }

    /** Databases still open (a stopping job's tasks) keep the shared resources until they close. */
    @Deactivate
    void deactivate() {
        lifecycle.writeLock().lock(); // waits for restores in progress
        try {
            stopped = true;
            resources.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }
}
