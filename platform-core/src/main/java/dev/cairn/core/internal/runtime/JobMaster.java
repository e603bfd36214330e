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
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
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
 * recovery point of the job's {@link SnapshotLedger} after a failure (falling back to an older
 * completed snapshot if it is damaged and the job allows it), and owns the job's checkpoint ids.
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
    private final SnapshotLedger ledger;
    private final Path workingDirectory;
    private final Map<String, byte[]> serializedFunctions;
    private final AtomicLong checkpointIds;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final JobMetrics metrics = new JobMetrics();
    private final java.util.concurrent.atomic.AtomicBoolean sweepOwed = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile JobStatus status = JobStatus.CREATED;
    private volatile ExecutionAttempt current;
    private volatile Throwable failureCause;
    private volatile int restarts;
    private volatile long lastCompletedCheckpoint = -1;
    private volatile SnapshotMetadata lastCheckpointMetadata;
    /** The snapshot the user named to start from in this run: a damaged one fails the job instead of falling back. */
    private String seededDirectory;
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
        this.ledger = SnapshotLedger.open(catalog);
        this.checkpointIds = new AtomicLong(Math.max(catalog.highestCheckpointId(), ledger.highestId()));
        this.workingDirectory = Files.createTempDirectory("cairn-" + graph.name() + "-");
        this.serializedFunctions = serializeFunctions(graph);
    }

    /**
     * Starts the job on its own thread: from the snapshot {@code config.restore()} names (which
     * becomes the ledger's recovery point), else from the ledger's recovery point, else afresh.
     * Before anything runs, whatever crashed runs left that the ledger does not list is deleted.
     */
    public JobMaster start() throws IOException {
        if (config.restore() != null) {
            CompletedSnapshot seed = catalog.load(config.restore().snapshotPath());
            boolean claim = config.restore().claimMode() == ClaimMode.CLAIM;
            ledger.recoverFrom(seed, claim ? Ownership.CLAIMED : Ownership.NOT_CLAIMED, config.restore().allowNonRestoredState());
            seededDirectory = seed.directory();
            // ids stay monotonic across runs even when the previous run's checkpoints are gone
            checkpointIds.accumulateAndGet(seed.id(), Math::max);
        }
        int swept = catalog.sweep(ledger.directories(), ledger.referencedFiles(), path -> false, true);
        if (swept > 0) {
            LOG.info(() -> "Job " + graph.name() + ": deleted " + swept + " files that crashed or aborted runs left and no snapshot references");
        }
        status = JobStatus.RUNNING;
        thread = new Thread(this::runJob, "cairn-" + graph.name() + "-master");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** What the ledger says to recover from, or {@code null} for a fresh start. */
    private RestorePoint recoveryPoint() throws IOException {
        LedgerEntry e = ledger.recoveryPoint().orElse(null);
        if (e == null) {
            return null;
        }
        // a savepoint's files live in its own directory: the next checkpoint never builds on them
        boolean reusable = e.kind() == SnapshotKind.CHECKPOINT && e.ownership().platformDeletes();
        return new RestorePoint(ledger.snapshot(e), reusable, e.dropsUnknownState(), e.directory().equals(seededDirectory));
    }

    private void runJob() {
        try {
            while (true) {
                String restoring = ledger.recoveryPoint().map(LedgerEntry::directory).orElse(null);
                Throwable cause = null;
                ExecutionAttempt attempt = null;
                try {
                    RestorePoint restore = recoveryPoint();
                    CrashPoint.RECOVERY_BEFORE_RESTORE.reach();
                    attempt = new ExecutionAttempt(this, restore);
                } catch (IOException e) {
                    cause = e;
                }
                if (attempt != null) {
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
                    cause = attempt.failure();
                }
                if (isDamagedSnapshot(cause)) {
                    if (restoring == null || restoring.equals(seededDirectory) || !config.fallbackToPreviousCheckpoint()) {
                        finish(JobStatus.FAILED, cause);
                        return;
                    }
                    LedgerEntry previous = ledger.markDamaged(restoring).orElse(null);
                    if (previous == null) {
                        finish(JobStatus.FAILED, new IllegalStateException("Snapshot " + restoring + " of job " + graph.name()
                                + " is damaged and the job has no older completed snapshot to fall back to (checkpoint.retained="
                                + config.checkpoints().retained() + "). It is not restarted from empty state: that would replay output"
                                + " already committed. Resume it from a savepoint, or repair the snapshot.", cause));
                        return;
                    }
                    LOG.log(Level.WARNING, "Snapshot " + restoring + " of job " + graph.name() + " is damaged; falling back to "
                            + previous.directory(), cause);
                    continue;
                }
                if (attempt == null || restarts >= config.maxRestarts()) {
                    finish(JobStatus.FAILED, cause);
                    return;
                }
                restarts++;
                status = JobStatus.RESTARTING;
                int attemptNumber = restarts;
                Throwable reason = cause;
                LOG.info(() -> "Job " + graph.name() + " failed (" + reason + "); restart " + attemptNumber + " of " + config.maxRestarts());
                Thread.sleep(config.restartDelay().toMillis());
                status = JobStatus.RUNNING;
            }
        } catch (InterruptedException e) {
            finish(JobStatus.CANCELLED, null);
        } catch (Throwable t) {
            finish(JobStatus.FAILED, t);
        }
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

    /**
     * A snapshot completed: the ledger makes it the recovery point (before any sink commits for
     * it) and drops what retention no longer keeps.
     */
    List<SnapshotLedger.Dropped> snapshotCompleted(CompletedSnapshot snapshot, Ownership ownership) throws IOException {
        List<SnapshotLedger.Dropped> dropped = ledger.record(snapshot, ownership, config.checkpoints().retained());
        if (snapshot.metadata().kind() == SnapshotKind.CHECKPOINT) {
            lastCompletedCheckpoint = snapshot.id();
            lastCheckpointMetadata = snapshot.metadata();
        }
        return dropped;
    }

    /** The metadata of the last checkpoint this job master completed, for what the next one adds. */
    SnapshotMetadata lastCheckpointMetadata() {
        return lastCheckpointMetadata;
    }

    /** Deletes the files of snapshots the ledger dropped; a failure leaves them to the next sweep. */
    void deleteDropped(List<SnapshotLedger.Dropped> dropped) {
        for (SnapshotLedger.Dropped d : dropped) {
            CrashPoint.RETENTION_BEFORE_DELETE.reach();
            try {
                catalog.discardFiles(d.directory(), d.files(), ledger.referencedFiles());
            } catch (IOException e) {
                oweSweep();
                LOG.log(Level.WARNING, "Could not delete snapshot " + d.directory() + " of job " + graph.name() + "; the next checkpoint sweeps it", e);
            }
            CrashPoint.RETENTION_AFTER_DELETE.reach();
        }
    }

    /** True after a failed deletion (storage down while a snapshot was aborted or dropped), until a sweep has run. */
    boolean sweepDue() {
        return sweepOwed.getAndSet(false);
    }

    /** Files of an aborted snapshot could not be deleted: the next completed checkpoint sweeps. */
    void oweSweep() {
        sweepOwed.set(true);
    }

    SnapshotLedger ledger() {
        return ledger;
    }

    Set<String> referencedFiles() {
        return ledger.referencedFiles();
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

    /** The checkpoints the ledger keeps for recovery now, oldest first. */
    public List<CompletedSnapshot> retainedCheckpoints() {
        List<CompletedSnapshot> result = new java.util.ArrayList<>();
        for (LedgerEntry e : ledger.entries()) {
            if (e.kind() == SnapshotKind.CHECKPOINT && e.recoverable()) {
                try {
                    result.add(ledger.snapshot(e));
                } catch (IOException unreadable) {
                    // not recoverable either
                }
            }
        }
        return result;
    }

    public SnapshotCatalog snapshotCatalog() {
        return catalog;
    }

    public SnapshotLedger snapshotLedger() {
        return ledger;
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
        return savepoint(name, false, Ownership.USER);
    }

    @Override
    public CompletableFuture<String> stopWithSavepoint(String name) {
        return savepoint(name, true, Ownership.USER);
    }

    /** A savepoint owned by {@code ownership}: the user's are never deleted automatically, the platform's handovers are. */
    public CompletableFuture<String> savepoint(String name, boolean stop, Ownership ownership) {
        ExecutionAttempt a = current;
        if (a == null || status != JobStatus.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + graph.name() + " is " + status));
        }
        try {
            if (storage.exists(catalog.savepointDirectory(name) + "/" + SnapshotCatalog.METADATA)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("A savepoint named '" + name + "' already exists"));
            }
        } catch (IllegalArgumentException | IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return a.coordinator().triggerSavepoint(name, stop, ownership);
    }

    /** Deletes a savepoint the ledger lists, unless the job recovers from it. */
    @Override
    public void deleteSavepoint(String name) throws IOException {
        String dir = catalog.savepointDirectory(name);
        SnapshotLedger.Dropped d = ledger.remove(dir);
        catalog.discardFiles(d.directory(), d.files(), ledger.referencedFiles());
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
