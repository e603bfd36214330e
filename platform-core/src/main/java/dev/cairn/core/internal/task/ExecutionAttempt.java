package dev.cairn.core.internal.task;

import dev.cairn.api.job.JobGraph;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.Source;
import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.checkpoint.CheckpointCoordinator;
import dev.cairn.core.internal.checkpoint.CheckpointedAttempt;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.snapshot.SectionsRestoreContext;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * One run of a job's subtasks, from a restore point (or from scratch) until the job finishes,
 * stops, fails or is cancelled. A failure of any subtask ends the whole attempt; the
 * job master then starts a new one from its ledger's recovery point.
 */
public final class ExecutionAttempt implements CheckpointedAttempt {

    public enum Outcome { FINISHED, STOPPED, FAILED, CANCELLED }

    private static final int CHANNEL_CAPACITY = 64;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(ExecutionAttempt.class.getName());

    private final JobRuntime job;
    private final RestorePoint restore;
    private final StorageSnapshotReader reader;
    private final int parallelism;
    private final List<StreamTask> tasks = new ArrayList<>();
    private final List<SourceTask<?>> sources = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final ExecutorService ioPool;
    /** What each keyed backend of this attempt wrote between checkpoints and still holds. */
    private final List<SubtaskBackgroundSnapshots> backgroundSnapshots = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CheckpointCoordinator coordinator;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch ended;
    private final CountDownLatch restored;
    private final Map<String, CountDownLatch> sinkRecovery = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean restoreReported = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean terminating;
    private volatile boolean cancelled;
    private volatile boolean stopped;
    private volatile long startedNanos;
    private volatile long restoredNanos;
    private final java.util.concurrent.atomic.AtomicInteger opening = new java.util.concurrent.atomic.AtomicInteger();

    public ExecutionAttempt(JobRuntime job, RestorePoint restore) throws IOException {
        this.job = job;
        this.restore = restore;
        this.parallelism = job.config().parallelism();
        this.reader = restore == null ? null : new StorageSnapshotReader(job.snapshots().catalog().storage(), restore.snapshot());
        if (restore != null) {
            validateRestore();
        }
        build();
        this.ended = new CountDownLatch(tasks.size());
        this.restored = new CountDownLatch(tasks.size());
        this.opening.set(tasks.size());
        this.ioPool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "cairn-" + job.jobName() + "-snapshot-io");
            t.setDaemon(true);
            return t;
        });
        this.coordinator = new CheckpointCoordinator(this, job.snapshots());
    }

    /** A handle, or a materialisation under a changelog: readable by this job's backend, in an installed format. */
    private void validatePart(String dir, String uid, SnapshotMetadata md, KeyedStateHandle part) throws IOException {
        if (part instanceof NativeFilesHandle h && !h.backend().equals(job.backend().name())) {
            throw new IOException("Snapshot " + dir + " holds operator '" + uid + "' in the native files of backend '" + h.backend()
                    + "', which backend '" + job.backend().name() + "' cannot read: switch backends through a canonical savepoint"
                    + " (set job.backend on the running job does this)");
        }
        if (part instanceof NativeFilesHandle && md.maxParallelism() != job.config().maxParallelism()) {
            throw new IOException("Snapshot " + dir + " was taken with max parallelism " + md.maxParallelism() + " in native files,"
                    + " whose key groups cannot be re-assigned to max parallelism " + job.config().maxParallelism()
                    + ": restore it with job.max-parallelism=" + md.maxParallelism() + ", or change it through a canonical savepoint");
        }
        if (part instanceof KeyGroupSectionsHandle h) {
            job.formats().require(h.format());
        }
    }

    private void validateRestore() throws IOException {
        SnapshotMetadata md = restore.snapshot().metadata();
        String dir = restore.snapshot().directory();
        for (SnapshotMetadata.OperatorSnapshot op : md.operators()) {
            for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                if (st.keyedState() instanceof ChangelogHandle c) {
                    if (!job.changelog()) {
                        throw new IOException("Snapshot " + dir + " holds operator '" + op.uid() + "' as a changelog over backend '" + c.backend()
                                + "', which only a job with job.changelog=true reads: turn the changelog off through a savepoint"
                                + " (setting job.changelog=false on the running job does this)");
                    }
                    if (md.maxParallelism() != job.config().maxParallelism()) {
                        throw new IOException("Snapshot " + dir + " was taken with max parallelism " + md.maxParallelism() + " in a changelog,"
                                + " whose key groups cannot be re-assigned to max parallelism " + job.config().maxParallelism()
                                + ": restore it with job.max-parallelism=" + md.maxParallelism() + ", or change it through a canonical savepoint");
                    }
                    for (KeyedStateHandle part : c.materialized()) {
                        validatePart(dir, op.uid(), md, part);
                    }
                } else if (st.keyedState() != null) {
                    validatePart(dir, op.uid(), md, st.keyedState());
                }
            }
        }
        for (SnapshotMetadata.OperatorSnapshot op : md.operators()) {
            JobGraph.Node node = job.graph().node(op.uid());
            if (node == null && !restore.allowNonRestoredState()) {
                throw new IOException("Snapshot " + restore.snapshot().directory() + " holds state for operator '" + op.uid()
                        + "', which job '" + job.jobName() + "' does not have. Restore with allowNonRestoredState to drop it.");
            }
            boolean inFlight = op.subtasks().stream().anyMatch(st -> st.inFlight() != null);
            if (node != null && inFlight && (node.inputs().isEmpty() || chainsToItsInput(node))) {
                throw new IOException("Snapshot " + dir + " holds records in flight to operator '" + op.uid() + "', which now has no input"
                        + " queue of its own to replay them into: restore an aligned snapshot (a savepoint) for this change of the job");
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void build() {
        Map<JobGraph.Node, OutputRouter[]> routers = new HashMap<>();
        Map<JobGraph.Node, InputGate[]> gates = new HashMap<>();
        for (JobGraph.Node node : job.graph().nodes()) {
            OutputRouter[] r = new OutputRouter[parallelism];
            for (int i = 0; i < parallelism; i++) {
                r[i] = new OutputRouter(i, job.config().maxParallelism());
            }
            routers.put(node, r);
            if (node.inputs().isEmpty() || chainsToItsInput(node)) {
                continue;
            }
            int[] inputOfChannel = node.inputs().stream().flatMapToInt(in -> java.util.stream.IntStream.generate(
                    () -> node.inputs().indexOf(in)).limit(in.partitioning() == JobGraph.Partitioning.FORWARD ? 1 : parallelism)).toArray();
            int channels = inputOfChannel.length;
            InputGate[] g = new InputGate[parallelism];
            for (int i = 0; i < parallelism; i++) {
                g[i] = job.config().checkpoints().unaligned()
                        ? new InputGate(channels, CHANNEL_CAPACITY, inFlightRecords(), inputOfChannel, clock())
                        : new InputGate(channels, CHANNEL_CAPACITY);
            }
            gates.put(node, g);
            int base = 0;
            for (JobGraph.Input in : node.inputs()) {
                boolean forward = in.partitioning() == JobGraph.Partitioning.FORWARD;
                for (int u = 0; u < parallelism; u++) {
                    int[] channelInGate = new int[parallelism];
                    for (int d = 0; d < parallelism; d++) {
                        channelInGate[d] = base + (forward ? 0 : u);
                    }
                    routers.get(in.from())[u].addEdge(new OutputRouter.Edge(g, channelInGate, in.partitioning(), in.keySelector()));
                }
                base += forward ? 1 : parallelism;
            }
        }
        Map<JobGraph.Node, StreamTask[]> built = new HashMap<>();
        for (JobGraph.Node node : job.graph().nodes()) {
            StreamTask[] subtasks = new StreamTask[parallelism];
            built.put(node, subtasks);
            for (int i = 0; i < parallelism; i++) {
                OutputRouter out = routers.get(node)[i];
                Object fn = job.functions().copy(node);
                StreamTask task;
                if (fn instanceof Source<?> s) {
                    SourceTask<?> st = new SourceTask<>(this, node.uid(), i, out, s);
                    sources.add(st);
                    task = st;
                } else if (fn instanceof KeyedProcessFunction<?, ?, ?> f) {
                    task = new KeyedProcessTask<>(this, node.uid(), i, out, gates.get(node)[i], (KeyedProcessFunction) f,
                            node.inputs().get(0).keySelector());
                } else if (chainsToItsInput(node)) {
                    SinkTask<?, ?> sink = new SinkTask<>(this, node.uid(), i, null, (TwoPhaseCommitSink) fn);
                    JobGraph.Node from = node.inputs().get(0).from();
                    routers.get(from)[i].addChained(sink);
                    built.get(from)[i].chain(sink);
                    task = sink;
                } else {
                    task = new SinkTask<>(this, node.uid(), i, gates.get(node)[i], (TwoPhaseCommitSink) fn);
                }
                subtasks[i] = task;
                tasks.add(task);
            }
        }
    }

    /**
     * A sink whose one input is forward from an operator that feeds nothing else runs on that
     * operator's thread, as Flink chains operators: its records need no hand-over at all.
     */
    private boolean chainsToItsInput(JobGraph.Node node) {
        if (!(node.function() instanceof TwoPhaseCommitSink) || node.inputs().size() != 1
                || node.inputs().get(0).partitioning() != JobGraph.Partitioning.FORWARD) {
            return false;
        }
        JobGraph.Node from = node.inputs().get(0).from();
        return job.graph().nodes().stream().filter(n -> n.inputs().stream().anyMatch(in -> in.from() == from)).count() == 1;
    }

    public Outcome run() throws InterruptedException {
        startedNanos = System.nanoTime();
        for (StreamTask t : tasks) {
            if (!t.isHead()) {
                continue; // runs on the thread of the task it is chained to
            }
            Thread thread = new Thread(t, "cairn-" + job.jobName() + "-" + t.uid + "-" + t.subtask);
            thread.setDaemon(true);
            threads.add(thread);
        }
        coordinator.start();
        threads.forEach(Thread::start);
        try {
            ended.await();
        } catch (InterruptedException e) {
            cancel();
            if (!ended.await(30, TimeUnit.SECONDS)) {
                LOG.warning(() -> "Job " + job.jobName() + " was cancelled, but these of its threads ignore the interruption and still run: "
                        + threads.stream().filter(Thread::isAlive).map(Thread::getName).toList());
            }
            throw e;
        } finally {
            coordinator.shutdown(failure.get());
            ioPool.shutdownNow();
            ioPool.awaitTermination(30, TimeUnit.SECONDS);
            // acknowledgements that raced with the shutdown
            coordinator.shutdown(failure.get());
            backgroundSnapshots.forEach(SubtaskBackgroundSnapshots::releaseAll);
        }
        if (failure.get() != null && !stopped) {
            return Outcome.FAILED;
        }
        if (failure.get() != null) {
            // its stop snapshot is the recovery point already: the next run restores it (and commits what the sinks had pending)
            LOG.log(java.util.logging.Level.WARNING, "Job " + job.jobName() + " failed after the snapshot it stops with completed;"
                    + " it stops there as planned", failure.get());
        }
        if (cancelled) {
            return Outcome.CANCELLED;
        }
        return stopped ? Outcome.STOPPED : Outcome.FINISHED;
    }

    @Override
    public void fail(Throwable cause) {
        if (failure.compareAndSet(null, cause)) {
            terminate();
        }
    }

    public void cancel() {
        cancelled = true;
        terminate();
    }

    private void terminate() {
        terminating = true;
        threads.forEach(Thread::interrupt);
    }

    public Throwable failure() {
        return failure.get();
    }

    @Override
    public boolean isTerminating() {
        return terminating;
    }

    /** Called by each thread once its tasks' state is read; returns when all tasks have read theirs. */
    void awaitAllRestored(int subtasks) throws InterruptedException {
        for (int i = 0; i < subtasks; i++) {
            restored.countDown();
        }
        restored.await();
        if (restoreReported.compareAndSet(false, true)) {
            restoredNanos = System.nanoTime();
            dev.cairn.core.internal.crash.CrashPoint.RECOVERY_AFTER_RESTORE.reach();
        }
    }

    /** Called by each thread once its operators are open: the last one reports how long the restore took. */
    void subtasksOpened(int subtasks) {
        if (opening.addAndGet(-subtasks) == 0 && restore != null) {
            long restoring = (restoredNanos - startedNanos) / 1_000_000;
            long opened = (System.nanoTime() - startedNanos) / 1_000_000;
            LOG.info(() -> "Job " + job.jobName() + ": " + tasks.size() + " subtasks restored from " + restore.snapshot().directory()
                    + " (" + restore.snapshot().metadata().format() + ") in " + restoring + " ms; running in " + opened + " ms");
        }
    }

    /** The first subtask of sink {@code uid} has committed the restored transactions and aborted the rest. */
    void sinkRecovered(String uid) {
        sinkRecovery.computeIfAbsent(uid, u -> new CountDownLatch(1)).countDown();
    }

    void awaitSinkRecovered(String uid) throws InterruptedException {
        sinkRecovery.computeIfAbsent(uid, u -> new CountDownLatch(1)).await();
    }

    void taskEnded(StreamTask task) {
        ended.countDown();
    }

    @Override
    public void endsWith(boolean stop) {
        stopped = stop;
    }

    @Override
    public void requestEnd() {
        sources.forEach(SourceTask::requestEnd);
    }

    @Override
    public void notifyCheckpointComplete(long id) {
        for (StreamTask t : tasks) {
            t.post(() -> t.notifyCheckpointComplete(id));
        }
    }

    @Override
    public void notifyCheckpointAborted(long id) {
        for (StreamTask t : tasks) {
            t.post(() -> t.notifyCheckpointAborted(id));
        }
    }

    public CheckpointCoordinator coordinator() {
        return coordinator;
    }

    @Override
    public int sourceCount() {
        return sources.size();
    }

    @Override
    public void triggerSources(CheckpointBarrier barrier) {
        sources.forEach(s -> s.trigger(barrier));
    }

    @Override
    public void resumeSources() {
        sources.forEach(SourceTask::resume);
    }

    @Override
    public int taskCount() {
        return tasks.size();
    }

    ExecutorService ioPool() {
        return ioPool;
    }

    @Override
    public FailureInjector injector() {
        return job.injector();
    }

    JobMetrics metrics() {
        return job.snapshots().metrics();
    }

    SerializerResolver serializers() {
        return job.serializers();
    }

    LongSupplier clock() {
        return job.snapshots().clock();
    }

    @Override
    public int parallelism() {
        return parallelism;
    }

    /** Records the sources have not read yet, summed over their subtasks; -1 when a source cannot tell. */
    public long pendingRecords() {
        long sum = 0;
        for (StreamTask t : tasks) {
            if (t instanceof SourceTask<?> source) {
                long p = source.pendingRecords();
                if (p < 0) {
                    return -1;
                }
                sum += p;
            }
        }
        return sum;
    }

    OptionalInt inputPartition() {
        return job.inputPartition();
    }

    /** The key groups subtask {@code subtask} of a keyed operator owns in this attempt. */
    KeyGroupRange keyGroupRange(int subtask) {
        return KeyGroups.rangeForSubtask(maxParallelism(), parallelism, subtask);
    }

    @Override
    public SnapshotFormats formats() {
        return job.formats();
    }

    @Override
    public int maxParallelism() {
        return job.config().maxParallelism();
    }

    private Map<String, SerializerSnapshotRef> keySerializers;

    @Override
    public synchronized Map<String, SerializerSnapshotRef> keySerializers() {
        if (keySerializers == null) {
            Map<String, SerializerSnapshotRef> refs = new HashMap<>();
            for (JobGraph.Node node : job.graph().nodes()) {
                if (node.keyType() != null || node.keySerializer() != null) {
                    refs.put(node.uid(), SerializerSnapshotRef.of(job.functions().keySerializer(node.uid())));
                }
            }
            keySerializers = Map.copyOf(refs);
        }
        return keySerializers;
    }

    @Override
    public boolean incremental() {
        return job.config().checkpoints().incremental() && nativeSnapshots();
    }

    /** Whether this attempt's checkpoints may go unaligned: its subtasks then wait for room where they can still snapshot. */
    boolean unalignedCheckpoints() {
        return job.config().checkpoints().unaligned();
    }

    @Override
    public boolean nativeSnapshots() {
        return job.backend().supportsIncremental();
    }

    boolean allowNonRestoredState() {
        return restore != null && restore.allowNonRestoredState();
    }

    String restoredFrom() {
        return restore == null ? "(none)" : restore.snapshot().directory();
    }

    /** This subtask's share of the restored operator state (empty without a restore). */
    Map<String, OperatorStateStoreImpl.Restored> restoredOperatorState(String uid, int subtask) throws IOException {
        SnapshotMetadata.OperatorSnapshot op = restore == null ? null : restore.snapshot().metadata().operator(uid);
        if (op == null) {
            return Map.of();
        }
        List<OperatorStateHandle> handles = op.subtasks().stream().map(SnapshotMetadata.SubtaskSnapshot::operatorState).toList();
        return OperatorStateStoreImpl.redistribute(handles, reader, subtask, parallelism, serializers().classLoader());
    }

    /** Every element of the operator list state {@code name} of {@code uid} in the restored snapshot, whichever subtask wrote it. */
    List<Object> restoredOperatorStateOfAllSubtasks(String uid, String name) throws IOException {
        SnapshotMetadata.OperatorSnapshot op = restore == null ? null : restore.snapshot().metadata().operator(uid);
        if (op == null) {
            return List.of();
        }
        List<OperatorStateHandle> handles = op.subtasks().stream().map(SnapshotMetadata.SubtaskSnapshot::operatorState).toList();
        OperatorStateStoreImpl.Restored all = OperatorStateStoreImpl.redistribute(handles, reader, 0, 1, serializers().classLoader()).get(name);
        return all == null ? List.of() : all.elements();
    }

    private InFlightRecords inFlightRecords;

    /** How this attempt keeps records in flight: values by Kryo, through the job's class loader. */
    private synchronized InFlightRecords inFlightRecords() {
        if (inFlightRecords == null) {
            inFlightRecords = new InFlightRecords(serializers().resolveFixed(null, Object.class));
        }
        return inFlightRecords;
    }

    /**
     * This subtask's share of the records in flight the restored checkpoint holds for operator
     * {@code uid}, in each old subtask's order, old subtasks in index order: a keyed input's records
     * by their key's group (the keys are taken again with the job's key selector), a forward
     * input's records from old subtask i at subtask i mod parallelism.
     */
    List<InputGate.Replayed> restoredInFlight(String uid, int subtask) throws Exception {
        SnapshotMetadata.OperatorSnapshot op = restore == null ? null : restore.snapshot().metadata().operator(uid);
        if (op == null || op.subtasks().stream().allMatch(st -> st.inFlight() == null)) {
            return List.of();
        }
        List<JobGraph.Input> inputs = job.graph().node(uid).inputs();
        KeyGroupRange range = keyGroupRange(subtask);
        List<InputGate.Replayed> mine = new ArrayList<>();
        for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
            if (st.inFlight() == null) {
                continue;
            }
            for (InFlightRecords.Restored r : inFlightRecords().read(st.inFlight(), reader)) {
                if (r.input() >= inputs.size()) {
                    throw new dev.cairn.core.internal.catalog.InvalidSnapshotException(st.inFlight().file().path() + " holds records in flight"
                            + " of input " + r.input() + " of operator '" + uid + "', which now has " + inputs.size() + " inputs");
                }
                JobGraph.Input in = inputs.get(r.input());
                Object key = null;
                boolean ours;
                if (in.partitioning() == JobGraph.Partitioning.KEY_GROUPS) {
                    key = in.keySelector().getKey(r.value());
                    ours = range.contains(KeyGroups.keyGroupFor(key, maxParallelism()));
                } else {
                    ours = st.index() % parallelism == subtask;
                }
                if (ours) {
                    mine.add(new InputGate.Replayed(new StreamElement.Record(0, r.value(), r.timestamp(), r.hasTimestamp(), key), r.input()));
                }
            }
        }
        LOG.info(() -> "Job " + job.jobName() + ": subtask " + subtask + " of '" + uid + "' replays " + mine.size()
                + " records in flight from " + restore.snapshot().directory());
        return mine;
    }

    @SuppressWarnings("unchecked")
    <K> KeyedStateBackend<K> createKeyedBackend(String uid, int subtask) throws Exception {
        KeyGroupRange range = keyGroupRange(subtask);
        TypeSerializer<K> keySerializer = (TypeSerializer<K>) job.functions().keySerializer(uid);
        List<KeyedStateHandle> handles = new ArrayList<>();
        SnapshotMetadata md = restore == null ? null : restore.snapshot().metadata();
        SnapshotMetadata.OperatorSnapshot op = md == null ? null : md.operator(uid);
        boolean rehash = md != null && md.maxParallelism() != maxParallelism();
        if (op != null) {
            for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                if (st.keyedState() != null && (rehash || !st.keyedState().keyGroupRange().intersect(range).isEmpty())) {
                    handles.add(st.keyedState());
                }
            }
        }
        RestoreContext restoreContext = md == null ? RestoreContext.NONE : new SectionsRestoreContext(handles, reader, restore.baseReusable(),
                range, maxParallelism(), md.maxParallelism(), keySerializer, job.formats());
        SubtaskBackgroundSnapshots background = new SubtaskBackgroundSnapshots(job.snapshots(), uid, subtask);
        backgroundSnapshots.add(background);
        return job.backend().createKeyedBackend(new KeyedBackendParameters<>(job.jobName(), uid, subtask, keySerializer, range,
                maxParallelism(), job.workingDirectory().resolve(uid).resolve(Integer.toString(subtask)), Map.of(),
                serializers().classLoader(), restoreContext, background));
    }
}
