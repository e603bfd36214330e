package dev.cairn.benchmarks;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.backend.changelog.ChangelogDecorator;
import dev.cairn.backend.rocksdb.RocksDBStateBackend;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/** Cairn's RocksDB backend, plain or wrapped by the changelog plugin, through the kernel's state layer. */
final class CairnCheckpointedStore implements CheckpointedStore {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);

    private final StateBackend plugin;
    private final LocalFileStorage storage;
    private final BackendHarness harness;
    private final ValueState<String> value;

    private CairnCheckpointedStore(StateBackend plugin, LocalFileStorage storage, Path workDir, RestoreContext restore) throws Exception {
        this.plugin = plugin;
        this.storage = storage;
        this.harness = new BackendHarness(plugin, storage, ALL, workDir, new AtomicLong(), restore);
        this.value = harness.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
    }

    /**
     * RocksDB with the plugin's defaults (256 MiB block cache, 64 MiB of write buffers charged
     * to it); with {@code materializationInterval}, the changelog over it with its defaults
     * otherwise (512 KiB upload batches or 200 ms, 64 MiB bound).
     */
    static CairnCheckpointedStore create(Path dir, Duration materializationInterval) throws Exception {
        StateBackend rocks = new RocksDBStateBackend(Map.of());
        StateBackend plugin = materializationInterval == null ? rocks
                : new ChangelogDecorator(Map.of("materialization-interval", materializationInterval.toMillis() + "ms")).wrap(rocks);
        return new CairnCheckpointedStore(plugin, new LocalFileStorage(dir.resolve("snapshots")), dir.resolve("work"), RestoreContext.NONE);
    }

    @Override
    public void update(long key, String v) throws Exception {
        harness.key(key);
        value.update(v);
    }

    @Override
    public String get(long key) throws Exception {
        harness.key(key);
        return value.value();
    }

    @Override
    public Callable<Checkpoint> checkpoint(long checkpointId) throws Exception {
        AsyncSnapshot async = harness.startSnapshot(checkpointId, true);
        return () -> {
            KeyedStateHandle handle = async.write();
            long done = System.nanoTime();
            Map<String, Long> files = new LinkedHashMap<>();
            for (FileRef f : handle.storedFiles()) {
                files.put(f.path(), f.size());
            }
            if (handle instanceof ChangelogHandle c) {
                return new Checkpoint(handle, files, !c.materialized().isEmpty(), c.materialized(),
                        c.changes().stream().mapToLong(s -> s.length()).sum(), done);
            }
            return new Checkpoint(handle, files, true, null, 0, done);
        };
    }

    @Override
    public void completed(long checkpointId) {
        harness.backend.notifyCheckpointComplete(checkpointId);
    }

    /** As a failover restores the job's own checkpoint: its files may stay the base of later ones. */
    @Override
    public CheckpointedStore restore(Path workDir, Checkpoint checkpoint) throws Exception {
        RestoreContext restore = BackendHarness.restoreFrom(List.of((KeyedStateHandle) checkpoint.handle()), BackendHarness.reader(storage),
                true, ALL, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM);
        return new CairnCheckpointedStore(plugin, storage, workDir, restore);
    }

    @Override
    public void close() {
        harness.close();
    }
}
