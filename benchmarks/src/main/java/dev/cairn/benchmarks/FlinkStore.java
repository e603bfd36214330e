package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.SavepointType;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.AbstractKeyedStateBackend;
import org.apache.flink.runtime.state.AbstractStateBackend;
import org.apache.flink.runtime.state.CheckpointStorageLocationReference;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.SharedStateRegistry;
import org.apache.flink.runtime.state.SharedStateRegistryImpl;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStreamFactory;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.StreamOperatorStateHandler;

/** Apache Flink's keyed state backend, created through its public StateBackend SPI without a cluster. */
final class FlinkStore implements StateStore {

    private static final int MAX_PARALLELISM = 128;

    private final AbstractStateBackend stateBackend;
    private final MockEnvironment env;
    private final AbstractKeyedStateBackend<Long> backend;
    private final FsCheckpointStreamFactory streams;
    private final ValueState<String> value;
    private final MapState<String, String> map;
    private final ListState<String> list;

    private final KeyGroupRange range;
    private final CloseableRegistry snapshotRegistry = new CloseableRegistry();
    private final SharedStateRegistry sharedState = new SharedStateRegistryImpl();

    private FlinkStore(AbstractStateBackend stateBackend, Path workDir, Collection<KeyedStateHandle> restore, KeyGroupRange range) throws Exception {
        this.stateBackend = stateBackend;
        this.range = range;
        this.env = MockEnvironment.builder().setMaxParallelism(MAX_PARALLELISM).build();
        this.backend = stateBackend.createKeyedStateBackend(new KeyedStateBackendParametersImpl<>(env, new JobID(), "op",
                LongSerializer.INSTANCE, MAX_PARALLELISM, range, env.getTaskKvStateRegistry(),
                TtlTimeProvider.DEFAULT, new UnregisteredMetricsGroup(), restore, new CloseableRegistry()));
        // -Dcairn.flink.unbuffered=true: Flink's own local file system, for a labelled comparison only
        boolean unbuffered = Boolean.getBoolean("cairn.flink.unbuffered");
        org.apache.flink.core.fs.Path checkpoints = unbuffered ? new org.apache.flink.core.fs.Path(workDir.resolve("snapshots").toUri())
                : BufferedLocalFileSystem.path(workDir.resolve("snapshots"));
        this.streams = new FsCheckpointStreamFactory(unbuffered ? org.apache.flink.core.fs.FileSystem.getLocalFileSystem()
                : BufferedLocalFileSystem.INSTANCE, checkpoints, checkpoints, 20 * 1024, 64 * 1024);
        this.value = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("value", StringSerializer.INSTANCE));
        this.map = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new MapStateDescriptor<>("map", StringSerializer.INSTANCE, StringSerializer.INSTANCE));
        this.list = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>("list", StringSerializer.INSTANCE));
    }

    static FlinkStore hashMap(Path workDir, int index, int parallelism) throws Exception {
        return new FlinkStore(new HashMapStateBackend(), workDir, List.of(), rangeFor(index, parallelism));
    }

    /** Flink's share of its RocksDB memory for write buffers; another value only for a labelled check. */
    static final double FLINK_WRITE_BUFFER_RATIO = Double.parseDouble(System.getProperty("cairn.flink.write-buffer-ratio", "0.375"));

    /**
     * Flink's RocksDB backend with native incremental checkpoints and the memory Cairn's backend
     * gets by default: 256 MiB for block cache and write buffers (64 MiB of it, as Cairn's),
     * fixed rather than taken from a TaskManager's managed memory.
     */
    static FlinkStore rocksDb(Path workDir, int index, int parallelism) throws Exception {
        EmbeddedRocksDBStateBackend rocks = rocksDbBackend();
        rocks.setDbStoragePath(workDir.resolve("flink-rocksdb").toString());
        return new FlinkStore(rocks, workDir, List.of(), rangeFor(index, parallelism));
    }

    static EmbeddedRocksDBStateBackend rocksDbBackend() {
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend(true);
        rocks.getMemoryConfiguration().setFixedMemoryPerSlot(MemorySize.ofMebiBytes(256));
        // Flink's write buffer manager gets 2/3 of ratio x memory: 0.375 gives the 64 MiB Cairn's has (0.25 gave 42.7 MiB)
        rocks.getMemoryConfiguration().setWriteBufferRatio(FLINK_WRITE_BUFFER_RATIO);
        return rocks;
    }

    private static KeyGroupRange rangeFor(int index, int parallelism) {
        return KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(MAX_PARALLELISM, parallelism, index);
    }

    @Override
    public boolean owns(long key) {
        return range.contains(KeyGroupRangeAssignment.assignToKeyGroup(key, MAX_PARALLELISM));
    }

    @Override
    public void setKey(long key) {
        backend.setCurrentKey(key);
    }

    @Override
    public String valueGet() throws Exception {
        return value.value();
    }

    @Override
    public void valueUpdate(String v) throws Exception {
        value.update(v);
    }

    @Override
    public void mapPut(String k, String v) throws Exception {
        map.put(k, v);
    }

    @Override
    public String mapGet(String k) throws Exception {
        return map.get(k);
    }

    @Override
    public int mapIterate() throws Exception {
        int n = 0;
        for (Map.Entry<String, String> e : map.entries()) {
            n += e.getValue().length() > 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public void listAdd(String v) throws Exception {
        list.add(v);
    }

    @Override
    public int listGet() throws Exception {
        int n = 0;
        Iterable<String> all = list.get();
        if (all != null) {
            for (String s : all) {
                n += s.length() > 0 ? 1 : 0;
            }
        }
        return n;
    }

    private record Done(KeyedStateHandle handle) implements PendingSnapshot.Done {
    }

    @Override
    public PendingSnapshot snapshot(long checkpointId, boolean incremental) throws Exception {
        RunnableFuture<SnapshotResult<KeyedStateHandle>> future = backend.snapshot(checkpointId, System.currentTimeMillis(), streams,
                CheckpointOptions.forCheckpointWithDefaultLocation());
        return () -> {
            future.run();
            KeyedStateHandle handle = future.get().getJobManagerOwnedSnapshot();
            // as the checkpoint coordinator does: files an earlier checkpoint uploaded are placeholders until registered
            handle.registerSharedStates(sharedState, checkpointId);
            backend.notifyCheckpointComplete(checkpointId);
            return new Done(handle);
        };
    }

    /**
     * As Flink's operators take savepoints: a canonical one through the backend's full-snapshot
     * resources (what {@code StreamOperatorStateHandler} does), a native one through the backend.
     */
    @Override
    public PendingSnapshot savepoint(long checkpointId, SavepointFormat format) throws Exception {
        CheckpointOptions options = new CheckpointOptions(SavepointType.savepoint(format == SavepointFormat.CANONICAL
                ? SavepointFormatType.CANONICAL : SavepointFormatType.NATIVE), CheckpointStorageLocationReference.getDefault());
        RunnableFuture<SnapshotResult<KeyedStateHandle>> future = format == SavepointFormat.CANONICAL
                ? StreamOperatorStateHandler.prepareCanonicalSavepoint(backend, snapshotRegistry).snapshot(checkpointId,
                System.currentTimeMillis(), streams, options)
                : backend.snapshot(checkpointId, System.currentTimeMillis(), streams, options);
        return () -> {
            future.run();
            return new Done(future.get().getJobManagerOwnedSnapshot());
        };
    }

    @Override
    public StateStore restore(Path workDir, List<PendingSnapshot.Done> snapshots, int index, int parallelism) throws Exception {
        KeyGroupRange target = rangeFor(index, parallelism);
        // as Flink's checkpoint coordinator does: each handle cut to the new subtask's key groups
        List<KeyedStateHandle> handles = snapshots.stream().map(d -> ((Done) d).handle().getIntersection(target))
                .filter(java.util.Objects::nonNull).toList();
        return new FlinkStore(stateBackend, workDir, handles, target);
    }

    @Override
    public void close() throws Exception {
        snapshotRegistry.close();
        backend.dispose();
        env.close();
    }
}
