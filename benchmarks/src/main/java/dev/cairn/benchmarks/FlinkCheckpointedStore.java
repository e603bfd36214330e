package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RunnableFuture;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.changelog.fs.FsStateChangelogStorage;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.state.AbstractIncrementalStateHandle;
import org.apache.flink.runtime.state.CheckpointStreamFactory;
import org.apache.flink.runtime.state.CheckpointableKeyedStateBackend;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyedStateBackendParametersImpl;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.LocalRecoveryConfig;
import org.apache.flink.runtime.state.SharedStateRegistry;
import org.apache.flink.runtime.state.SharedStateRegistryImpl;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.StateBackendLoader;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.TestTaskStateManager;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.changelog.ChangelogStateBackendHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandle;
import org.apache.flink.runtime.state.changelog.ChangelogStateHandleStreamImpl;
import org.apache.flink.runtime.state.filesystem.FsCheckpointStorageAccess;
import org.apache.flink.runtime.state.ttl.TtlTimeProvider;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.apache.flink.util.InstantiationUtil;

/**
 * Flink's RocksDB backend, plain or wrapped by its changelog backend (FLIP-158) writing to the
 * file-system changelog storage (DSTL) on local disk, as a task manager sets them up: a real
 * task mailbox on the calling thread (Flink's periodic materialisation and upload callbacks run
 * through it), the task's asynchronous pool, checkpoint storage on local files, and the
 * checkpoint coordinator's shared-state registry retaining one checkpoint.
 */
final class FlinkCheckpointedStore implements CheckpointedStore {

    private static final int MAX_PARALLELISM = 128;
    private static final KeyGroupRange ALL = KeyGroupRange.of(0, MAX_PARALLELISM - 1);

    private final Setup setup;
    private final TaskMailbox mailbox;
    private final MockEnvironment env;
    private final CheckpointableKeyedStateBackend<Long> backend;
    private final ValueState<String> value;
    private final SharedStateRegistry sharedState = new SharedStateRegistryImpl();
    private long lastCompleted = -1;

    /** What every store of one comparison shares: the backend, its storage and the task's pools. */
    private record Setup(StateBackend backend, org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend rocks, ExecutionConfig config, FsStateChangelogStorage changelog, FsCheckpointStorageAccess storage,
                         CheckpointStreamFactory streams, ExecutorService async) {
    }

    private FlinkCheckpointedStore(Setup setup, Path workDir, Collection<KeyedStateHandle> restore) throws Exception {
        this.setup = setup;
        this.mailbox = new TaskMailboxImpl(Thread.currentThread());
        TestTaskStateManager taskState = TestTaskStateManager.builder().setStateChangelogStorage(setup.changelog()).build();
        this.env = MockEnvironment.builder().setMaxParallelism(MAX_PARALLELISM).setExecutionConfig(setup.config())
                .setTaskStateManager(taskState).build();
        env.setMainMailboxExecutor(new MailboxExecutorImpl(mailbox, TaskMailbox.MIN_PRIORITY, StreamTaskActionExecutor.IMMEDIATE));
        env.setAsyncOperationsThreadPool(setup.async());
        env.setCheckpointStorageAccess(setup.storage());
        setup.rocks().setDbStoragePath(workDir.resolve("flink-rocksdb").toString());
        this.backend = setup.backend().createKeyedStateBackend(new KeyedStateBackendParametersImpl<>(env, new JobID(), "op",
                LongSerializer.INSTANCE, MAX_PARALLELISM, ALL, env.getTaskKvStateRegistry(), TtlTimeProvider.DEFAULT,
                new UnregisteredMetricsGroup(), restore, new CloseableRegistry()));
        this.value = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>("value", StringSerializer.INSTANCE));
    }

    /**
     * RocksDB as {@link FlinkStore#rocksDbBackend} configures it (native incremental checkpoints,
     * 256 MiB with 64 MiB of write buffers); with {@code materializationInterval}, wrapped by
     * the changelog with DSTL's defaults otherwise (10 ms persist delay, 10 MiB batches, 5 upload
     * threads, buffered streams both ways).
     */
    static FlinkCheckpointedStore create(Path dir, Duration materializationInterval, ExecutorService async) throws Exception {
        org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend rocks = FlinkStore.rocksDbBackend();
        StateBackend backend = rocks;
        ExecutionConfig config = new ExecutionConfig();
        FsStateChangelogStorage changelog = null;
        if (materializationInterval != null) {
            Configuration job = new Configuration();
            job.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
            backend = StateBackendLoader.fromApplicationOrConfigOrDefault(rocks, job, new Configuration(),
                    FlinkCheckpointedStore.class.getClassLoader(), null);
            // configuring makes a new RocksDB backend inside the changelog: that one gets the working directory
            rocks = (org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend)
                    ((org.apache.flink.runtime.state.delegate.DelegatingStateBackend) backend).getDelegatedStateBackend();
            config.enablePeriodicMaterialize(true);
            config.setPeriodicMaterializeIntervalMillis(materializationInterval);
            Configuration dstl = new Configuration();
            dstl.set(FsStateChangelogOptions.BASE_PATH, dir.resolve("changelog").toUri().toString());
            changelog = new FsStateChangelogStorage(new JobID(), dstl, UnregisteredMetricGroups.createUnregisteredTaskManagerJobMetricGroup(),
                    LocalRecoveryConfig.BACKUP_AND_RECOVERY_DISABLED);
        }
        org.apache.flink.core.fs.Path checkpoints = BufferedLocalFileSystem.path(dir.resolve("snapshots"));
        FsCheckpointStorageAccess storage = new FsCheckpointStorageAccess(BufferedLocalFileSystem.INSTANCE, checkpoints, null, true, new JobID(),
                20 * 1024, 64 * 1024);
        storage.initializeBaseLocationsForCheckpoint();
        CheckpointStreamFactory streams = storage.resolveCheckpointStorageLocation(1,
                org.apache.flink.runtime.state.CheckpointStorageLocationReference.getDefault());
        return new FlinkCheckpointedStore(new Setup(backend, rocks, config, changelog, storage, streams, async), dir.resolve("work"), List.of());
    }

    @Override
    public void update(long key, String v) throws Exception {
        backend.setCurrentKey(key);
        value.update(v);
    }

    @Override
    public String get(long key) throws Exception {
        backend.setCurrentKey(key);
        return value.value();
    }

    @Override
    public void runMail() throws Exception {
        Optional<Mail> mail;
        while ((mail = mailbox.tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }

    @Override
    public Callable<Checkpoint> checkpoint(long checkpointId) throws Exception {
        RunnableFuture<SnapshotResult<KeyedStateHandle>> future = backend.snapshot(checkpointId, System.currentTimeMillis(), setup.streams(),
                CheckpointOptions.forCheckpointWithDefaultLocation());
        return () -> {
            future.run();
            future.get();
            long done = System.nanoTime();
            // the checkpoint coordinator's copy, as the acknowledgement's serialisation makes it; on completion it registers
            // the copy's shared files, placeholders for files uploaded before becoming the registered ones
            KeyedStateHandle handle = InstantiationUtil.clone(future.get().getJobManagerOwnedSnapshot(), getClass().getClassLoader());
            synchronized (sharedState) {
                handle.registerSharedStates(sharedState, checkpointId);
            }
            Map<String, Long> files = new LinkedHashMap<>();
            collectFiles(handle, files);
            if (handle instanceof ChangelogStateBackendHandle c) {
                return new Checkpoint(handle, files, !c.getMaterializedStateHandles().isEmpty(), c.getMaterializationID(),
                        c.getNonMaterializedStateHandles().stream().mapToLong(ChangelogStateHandle::getStateSize).sum(), done);
            }
            return new Checkpoint(handle, files, true, null, 0, done);
        };
    }

    /** As a task hears it: complete, then the checkpoint before it subsumed (one retained); the registry drops what none uses. */
    @Override
    public void completed(long checkpointId) throws Exception {
        ((org.apache.flink.api.common.state.CheckpointListener) backend).notifyCheckpointComplete(checkpointId);
        if (lastCompleted >= 0 && backend instanceof org.apache.flink.api.common.state.InternalCheckpointListener listener) {
            listener.notifyCheckpointSubsumed(lastCompleted);
        }
        lastCompleted = checkpointId;
        synchronized (sharedState) {
            sharedState.unregisterUnusedState(checkpointId);
        }
    }

    @Override
    public CheckpointedStore restore(Path workDir, Checkpoint checkpoint) throws Exception {
        return new FlinkCheckpointedStore(setup, workDir, List.of((KeyedStateHandle) checkpoint.handle()));
    }

    private static void collectFiles(KeyedStateHandle handle, Map<String, Long> files) {
        if (handle instanceof ChangelogStateBackendHandle c) {
            c.getMaterializedStateHandles().forEach(h -> collectFiles(h, files));
            for (ChangelogStateHandle log : c.getNonMaterializedStateHandles()) {
                if (log instanceof ChangelogStateHandleStreamImpl stream) {
                    for (Tuple2<StreamStateHandle, Long> part : stream.getHandlesAndOffsets()) {
                        add(part.f0, files);
                    }
                } else {
                    files.put(log.getStateHandleId().getKeyString(), log.getStateSize()); // changes kept inline
                }
            }
        } else if (handle instanceof IncrementalRemoteKeyedStateHandle incremental) {
            incremental.getSharedState().forEach(f -> add(f.getHandle(), files));
            incremental.getPrivateState().forEach(f -> add(f.getHandle(), files));
            add(((AbstractIncrementalStateHandle) incremental).getMetaDataStateHandle(), files);
        } else {
            throw new IllegalStateException("Unexpected handle " + handle.getClass().getName());
        }
    }

    private static void add(StreamStateHandle file, Map<String, Long> files) {
        files.put(file.getStreamStateHandleID().getKeyString(), file.getStateSize());
    }

    @Override
    public void close() throws Exception {
        backend.dispose();
        backend.close();
        env.close();
        mailbox.close();
    }
}
