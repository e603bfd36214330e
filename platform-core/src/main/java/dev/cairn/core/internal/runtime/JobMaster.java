package dev.cairn.core.internal.runtime;

import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobClient;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.InvalidSnapshotException;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one job instance: resolves its plugins, starts execution attempts, restarts them from the
 * last completed checkpoint after a failure (falling back to an older one if the newest is
 * damaged and the job allows it), and owns the job's checkpoint ids and retained checkpoints.
 */
public final class JobMaster implements JobClient {

    private static final Logger LOG = Logger.getLogger(JobMaster.class.getName());

    private final JobGraph graph;
    private final JobConfig config;
    private final SerializerResolver serializers;
    private final FailureInjector injector;
    private final LongSupplier clock;
    private final StateBackend backend;
    private final SnapshotStorage storage;
    private final SnapshotCatalog catalog;
    private final CompletedCheckpointStore checkpoints;
    private final Path workingDirectory;
    private final Map<String, byte[]> serializedFunctions;
    private final AtomicLong checkpointIds;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final JobMetrics metrics = new JobMetrics();
    private final java.util.concurrent.atomic.AtomicBoolean completedOnce = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean sweepOwed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile JobStatus status = JobStatus.CREATED;
    private volatile ExecutionAttempt current;
    private volatile Throwable failureCause;
    private volatile int restarts;
    private volatile long lastCompletedCheckpoint = -1;
    private volatile CompletedSnapshot stopSavepoint;
    private Thread thread;

    public JobMaster(JobGraph graph, JobConfig config, PluginRegistry plugins, ClassLoader userClassLoader,
                     FailureInjector injector, LongSupplier clock) throws IOException {
        this.graph = graph;
        this.config = config;
        this.serializers = new SerializerResolver(userClassLoader);
        this.injector = injector;
        this.clock = clock;
        this.backend = plugins.backend(config.backend()).orElseThrow(() -> new IllegalArgumentException(
                "job.backend=" + config.backend() + " is not allowed: no such state backend is installed; available: " + plugins.backendNames()));
        this.storage = plugins.storage(config.storage()).orElseThrow(() -> new IllegalArgumentException(
                "job.storage=" + config.storage() + " is not allowed: no such storage is installed; available: " + plugins.storageNames()))
                .open(config.storageConfig());
        this.catalog = new SnapshotCatalog(storage, graph.name());
        this.checkpoints = new CompletedCheckpointStore(catalog, config.checkpoints().retained());
        this.checkpointIds = new AtomicLong(catalog.highestCheckpointId());
        this.workingDirectory = Files.createTempDirectory("cairn-" + graph.name() + "-");
        this.serializedFunctions = serializeFunctions(graph);
    }

    /** Starts the job on its own thread. */
    public JobMaster start() throws IOException {
        RestorePoint initial = initialRestorePoint();
        if (initial != null) {
            // ids stay monotonic across runs even when the previous run's checkpoints are gone
            checkpointIds.accumulateAndGet(initial.snapshot().id(), Math::max);
        }
        status = JobStatus.RUNNING;
        thread = new Thread(() -> runJob(initial), "cairn-" + graph.name() + "-master");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private RestorePoint initialRestorePoint() throws IOException {
        if (config.restore() == null) {
            return null;
        }
        CompletedSnapshot snapshot = catalog.load(config.restore().snapshotPath());
        boolean claim = config.restore().claimMode() == ClaimMode.CLAIM;
        if (claim) {
            checkpoints.claim(snapshot);
        } else {
            checkpoints.protect(snapshot);
        }
        // a savepoint's files live in its own directory: the next checkpoint never builds on them
        boolean reusable = claim && snapshot.metadata().kind() == SnapshotKind.CHECKPOINT;
        return new RestorePoint(snapshot, reusable, config.restore().allowNonRestoredState(), true);
    }

    private void runJob(RestorePoint initial) {
        RestorePoint restore = initial;
        try {
            while (true) {
                ExecutionAttempt attempt;
                try {
                    attempt = new ExecutionAttempt(this, restore);
                } catch (IOException e) {
                    finish(JobStatus.FAILED, e);
                    return;
                }
                current = attempt;
                ExecutionAttempt.Outcome outcome = attempt.run();
                switch (outcome) {
                    case FINISHED -> {
                        finish(JobStatus.FINISHED, null);
                        return;
                    }
                    case STOPPED -> {
                        finish(JobStatus.STOPPED, null);
                        return;
                    }
                    case CANCELLED -> {
                        finish(JobStatus.CANCELLED, null);
                        return;
                    }
                    default -> {
                    }
                }
                Throwable cause = attempt.failure();
                if (isDamagedSnapshot(cause)) {
                    if (restore != null && !restore.userChosen() && config.fallbackToPreviousCheckpoint()) {
                        LOG.log(Level.WARNING, "Checkpoint " + restore.snapshot().directory() + " is damaged; falling back to the previous one", cause);
                        checkpoints.markDamaged(restore.snapshot());
                        restore = failoverPoint(initial);
                        continue;
                    }
                    finish(JobStatus.FAILED, cause);
                    return;
                }
                if (restarts >= config.maxRestarts()) {
                    finish(JobStatus.FAILED, cause);
                    return;
                }
                restarts++;
                status = JobStatus.RESTARTING;
                int attemptNumber = restarts;
                LOG.info(() -> "Job " + graph.name() + " failed (" + cause + "); restart " + attemptNumber + " of " + config.maxRestarts());
                Thread.sleep(config.restartDelay().toMillis());
                restore = failoverPoint(initial);
                status = JobStatus.RUNNING;
            }
        } catch (InterruptedException e) {
            finish(JobStatus.CANCELLED, null);
        } catch (Throwable t) {
            finish(JobStatus.FAILED, t);
        }
    }

    /**
     * The newest snapshot whose sink transactions may have been committed: the last completed
     * checkpoint, or a stop-with-savepoint if one completed after it (a failure can still hit the
     * job while it stops). Restoring anything older would replay committed output.
     */
    private RestorePoint failoverPoint(RestorePoint initial) {
        CompletedSnapshot latest = checkpoints.latest();
        CompletedSnapshot stop = stopSavepoint;
        if (stop != null && (latest == null || stop.id() > latest.id())) {
            return new RestorePoint(stop, false, false, false);
        }
        if (latest == null || (initial != null && latest == initial.snapshot())) {
            return initial;
        }
        return new RestorePoint(latest, true, false, false);
    }

    private static boolean isDamagedSnapshot(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CorruptSnapshotException || c instanceof InvalidSnapshotException) {
                return true;
            }
        }
        return false;
    }

    private void finish(JobStatus finalStatus, Throwable cause) {
        failureCause = cause;
        status = finalStatus;
        try {
            storage.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing storage", e);
        }
        deleteRecursively(workingDirectory);
        terminated.countDown();
    }

    private static void deleteRecursively(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing depends on it
        }
    }

    // ---- for attempts and the coordinator

    JobGraph graph() {
        return graph;
    }

    JobConfig config() {
        return config;
    }

    SnapshotCatalog catalog() {
        return catalog;
    }

    StateBackend backend() {
        return backend;
    }

    SerializerResolver serializers() {
        return serializers;
    }

    FailureInjector injector() {
        return injector;
    }

    public JobMetrics metrics() {
        return metrics;
    }

    public JobConfig jobConfig() {
        return config;
    }

    LongSupplier clock() {
        return clock;
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    long nextCheckpointId() {
        return checkpointIds.incrementAndGet();
    }

    void checkpointCompleted(CompletedSnapshot snapshot) {
        checkpoints.add(snapshot);
        lastCompletedCheckpoint = snapshot.id();
    }

    /** A stop-with-savepoint completed: the sinks committed up to it. */
    void stopSavepointCompleted(CompletedSnapshot savepoint) {
        stopSavepoint = savepoint;
    }

    /**
     * True for the first checkpoint this job master completes, and again after a failed deletion
     * (storage down while a checkpoint was aborted) until a sweep has run.
     */
    boolean sweepDue() {
        return completedOnce.compareAndSet(false, true) | sweepOwed.getAndSet(false);
    }

    /** Files of an aborted snapshot could not be deleted: the next completed checkpoint sweeps. */
    void oweSweep() {
        sweepOwed.set(true);
    }

    CompletedSnapshot latestCheckpoint() {
        return checkpoints.latest();
    }

    Set<String> referencedFiles() {
        return checkpoints.referencedFiles();
    }

    /** The job configuration recorded in snapshot metadata (no storage settings: they may hold credentials). */
    Map<String, String> describeConfig() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("parallelism", Integer.toString(config.parallelism()));
        m.put("max-parallelism", Integer.toString(config.maxParallelism()));
        m.put("backend", config.backend());
        m.put("storage", config.storage());
        m.put("checkpoint.interval", config.checkpoints().interval().toString());
        m.put("checkpoint.incremental", Boolean.toString(config.checkpoints().incremental()));
        m.put("checkpoint.retained", Integer.toString(config.checkpoints().retained()));
        return m;
    }

    TypeSerializer<?> keySerializer(String uid) {
        JobGraph.Node node = graph.node(uid);
        return serializers.resolve((TypeSerializer) node.keySerializer(), (Class) node.keyType());
    }

    /** A fresh copy of an operator's function for one subtask, loaded in the job's class loader. */
    Object copyOfFunction(JobGraph.Node node) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serializedFunctions.get(node.uid()))) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                return Class.forName(desc.getName(), false, serializers.classLoader());
            }
        }) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot copy the function of " + node, e);
        }
    }

    /** Each operator's function in serialized form: every subtask gets its own copy, as in a cluster. */
    private static Map<String, byte[]> serializeFunctions(JobGraph graph) {
        Map<String, byte[]> functions = new LinkedHashMap<>();
        for (JobGraph.Node n : graph.nodes()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(n.function());
            } catch (IOException e) {
                throw new IllegalArgumentException("The function of " + n + " in job '" + graph.name() + "' must be serializable: " + e, e);
            }
            functions.put(n.uid(), bytes.toByteArray());
        }
        return functions;
    }

    /** Checkpoints the job retains now, oldest first. */
    public List<CompletedSnapshot> retainedCheckpoints() {
        return checkpoints.all();
    }

    public SnapshotCatalog snapshotCatalog() {
        return catalog;
    }

    // ---- JobClient

    @Override
    public String jobName() {
        return graph.name();
    }

    @Override
    public JobStatus status() {
        return status;
    }

    @Override
    public CompletableFuture<Long> triggerCheckpoint() {
        ExecutionAttempt a = current;
        if (a == null || status != JobStatus.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + graph.name() + " is " + status));
        }
        return a.coordinator().triggerCheckpoint().thenApply(dir -> Long.parseLong(dir.substring(dir.lastIndexOf("chk-") + 4)));
    }

    @Override
    public CompletableFuture<String> triggerSavepoint(String name) {
        return savepoint(name, false);
    }

    @Override
    public CompletableFuture<String> stopWithSavepoint(String name) {
        return savepoint(name, true);
    }

    private CompletableFuture<String> savepoint(String name, boolean stop) {
        ExecutionAttempt a = current;
        if (a == null || status != JobStatus.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + graph.name() + " is " + status));
        }
        try {
            catalog.savepointDirectory(name);
            if (storage.exists(catalog.savepointDirectory(name) + "/" + SnapshotCatalog.METADATA)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("A savepoint named '" + name + "' already exists"));
            }
        } catch (IllegalArgumentException | IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return a.coordinator().triggerSavepoint(name, stop);
    }

    @Override
    public void deleteSavepoint(String name) throws IOException {
        CompletedSnapshot sp = catalog.load(catalog.savepointDirectory(name));
        catalog.discard(sp, referencedFiles());
    }

    @Override
    public void cancel() {
        ExecutionAttempt a = current;
        if (a != null) {
            a.cancel();
        }
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public JobStatus await(Duration timeout) throws InterruptedException {
        terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return status;
    }

    @Override
    public Throwable failureCause() {
        return failureCause;
    }

    @Override
    public int restarts() {
        return restarts;
    }

    @Override
    public long lastCompletedCheckpointId() {
        return lastCompletedCheckpoint;
    }
}
