package dev.cairn.core.internal.job;

import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobClient;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.InvalidSnapshotException;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.checkpoint.JobSnapshots;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.LedgerTakenOverException;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.core.internal.task.ExecutionAttempt;
import dev.cairn.core.internal.task.JobRuntime;
import dev.cairn.core.internal.task.OperatorFunctions;
import dev.cairn.core.internal.task.RestorePoint;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one job: resolves its plugins, starts execution attempts, and restarts them from the
 * recovery point of the job's {@link SnapshotLedger} after a failure (falling back to an older
 * completed snapshot if it is damaged and the job allows it). It is the job's {@link JobClient}.
 */
public final class JobMaster implements JobClient {

    private static final Logger LOG = Logger.getLogger(JobMaster.class.getName());
    /** The backend-neutral, version-stable format of the {@code plugin-format-canonical} bundle. */
    public static final String CANONICAL = "canonical";

    private final JobGraph graph;
    private final JobConfig config;
    private final SnapshotStorage storage;
    private final JobSnapshots snapshots;
    private final JobRuntime runtime;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile JobStatus status = JobStatus.CREATED;
    private volatile ExecutionAttempt current;
    private volatile Throwable failureCause;
    private volatile int restarts;
    private final RestartPolicy restartPolicy;
    /** The snapshot the user named to start from in this run: a damaged one fails the job instead of falling back. */
    private String seededDirectory;
    private Thread thread;

    public JobMaster(JobGraph graph, JobConfig config, PluginRegistry plugins, ClassLoader userClassLoader,
                     FailureInjector injector, LongSupplier clock) throws IOException {
        this(graph, config, plugins, userClassLoader, injector, clock, new JobMetrics());
    }

    /** @param metrics the job's metrics, carried over from its earlier runs on this platform */
    public JobMaster(JobGraph graph, JobConfig config, PluginRegistry plugins, ClassLoader userClassLoader,
                     FailureInjector injector, LongSupplier clock, JobMetrics metrics) throws IOException {
        this(graph, config, plugins, userClassLoader, injector, clock, metrics, OptionalInt.empty(), null);
    }

    /**
     * @param inputPartition the input partition the job's sources own, for a range of a job shared by partition
     * @param workingRoot where the job's working folder goes (its backends' local files); {@code null} for the system's temporary folder
     */
    public JobMaster(JobGraph graph, JobConfig config, PluginRegistry plugins, ClassLoader userClassLoader,
                     FailureInjector injector, LongSupplier clock, JobMetrics metrics, OptionalInt inputPartition, Path workingRoot)
            throws IOException {
        this.graph = graph;
        this.config = config;
        this.restartPolicy = new RestartPolicy(config.restarts(), System::nanoTime);
        StateBackend backend = plugins.backend(config.backend()).orElseThrow(() -> new IllegalArgumentException(
                "job.backend=" + config.backend() + " is not allowed: no such state backend is installed; available: " + plugins.backendNames()));
        this.storage = plugins.storage(config.storage()).orElseThrow(() -> new IllegalArgumentException(
                "job.storage=" + config.storage() + " is not allowed: no such storage is installed; available: " + plugins.storageNames()))
                .open(config.storageConfig());
        this.snapshots = new JobSnapshots(graph.name(), new SnapshotCatalog(storage, graph.name()), config.checkpoints(),
                config.backend(), describeConfig(config, plugins.changelog()), clock, metrics);
        SerializerResolver serializers = new SerializerResolver(userClassLoader);
        this.runtime = new JobRuntime(graph, config, backend, new SnapshotFormats(plugins::format, plugins::formatNames), serializers,
                new OperatorFunctions(graph, serializers), injector, workingFolder(workingRoot, graph.name()), snapshots,
                plugins.changelog(), inputPartition);
    }

    private static Path workingFolder(Path root, String jobName) throws IOException {
        String prefix = "cairn-" + jobName + "-";
        return root == null ? Files.createTempDirectory(prefix) : Files.createTempDirectory(Files.createDirectories(root), prefix);
    }

    /** The job configuration recorded in snapshot metadata (no storage settings: they may hold credentials). */
    private static Map<String, String> describeConfig(JobConfig config, boolean changelog) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("parallelism", Integer.toString(config.parallelism()));
        m.put("max-parallelism", Integer.toString(config.maxParallelism()));
        m.put("backend", config.backend());
        if (changelog) {
            m.put("changelog", "true");
        }
        m.put("storage", config.storage());
        m.put("checkpoint.interval", config.checkpoints().interval().toString());
        m.put("checkpoint.incremental", Boolean.toString(config.checkpoints().incremental()));
        m.put("checkpoint.retained", Integer.toString(config.checkpoints().retained()));
        return m;
    }

    /**
     * Starts the job on its own thread: from the snapshot {@code config.restore()} names (which
     * becomes the ledger's recovery point), else from the ledger's recovery point, else afresh.
     * Before anything runs, whatever crashed runs left that the ledger does not list is deleted.
     */
    public JobMaster start() throws IOException {
        try {
            // before anything is restored or swept: a process that ran the job before records nothing past this point
            snapshots.claim(true);
            SnapshotLedger ledger = snapshots.ledger();
            if (config.restore() != null) {
                CompletedSnapshot seed = snapshots.catalog().load(config.restore().snapshotPath());
                boolean claim = config.restore().claimMode() == ClaimMode.CLAIM;
                ledger.recoverFrom(seed, claim ? Ownership.CLAIMED : Ownership.NOT_CLAIMED, config.restore().allowNonRestoredState());
                seededDirectory = seed.directory();
                snapshots.idsAbove(seed.id());
            }
            snapshots.sweep(path -> false, true);
        } catch (IOException | RuntimeException e) {
            finish(JobStatus.FAILED, e); // the job never ran: its storage and working folder go now, not at the next start
            throw e;
        }
        status = JobStatus.RUNNING;
        thread = new Thread(this::runJob, "cairn-" + graph.name() + "-master");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** What the ledger says to recover from, or {@code null} for a fresh start. */
    private RestorePoint recoveryPoint() throws IOException {
        LedgerEntry e = snapshots.ledger().recoveryPoint().orElse(null);
        if (e == null) {
            return null;
        }
        // a savepoint's files live in its own directory: the next checkpoint never builds on them; nor does
        // a full one (a backend keeping a base for deltas that never come would keep its change logs forever)
        boolean reusable = e.kind() == SnapshotKind.CHECKPOINT && e.ownership().platformDeletes() && config.checkpoints().incremental();
        return new RestorePoint(snapshots.ledger().snapshot(e), reusable, e.dropsUnknownState());
    }

    private void runJob() {
        try {
            for (boolean restart = false; ; restart = true) {
                Throwable cause = null;
                ExecutionAttempt attempt = null;
                boolean claimed = true;
                if (restart) {
                    // a restart restores, and its sinks commit and abort transactions: only while no other process took the job over
                    try {
                        snapshots.claim(false);
                    } catch (IOException | LedgerTakenOverException e) {
                        cause = e;
                        claimed = false;
                    }
                }
                String restoring = snapshots.ledger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
                if (claimed) {
                    try {
                        RestorePoint restore = recoveryPoint();
                        CrashPoint.RECOVERY_BEFORE_RESTORE.reach();
                        attempt = new ExecutionAttempt(runtime, restore);
                    } catch (IOException e) {
                        cause = e;
                    }
                }
                if (attempt != null) {
                    current = attempt;
                    ExecutionAttempt.Outcome outcome = attempt.run();
                    if (outcome != ExecutionAttempt.Outcome.FAILED) {
                        finish(switch (outcome) {
                            case FINISHED -> JobStatus.FINISHED;
                            case STOPPED -> JobStatus.STOPPED;
                            default -> JobStatus.CANCELLED;
                        }, null);
                        return;
                    }
                    cause = attempt.failure();
                }
                if (LedgerTakenOverException.causedBy(cause)) {
                    LOG.warning(() -> "Job " + graph.name() + " is not restarted: another process runs it now");
                    finish(JobStatus.FAILED, cause);
                    return;
                }
                OutOfMemoryError outOfMemory = cause(cause, OutOfMemoryError.class);
                if (outOfMemory != null) {
                    // a restart would run into the same limit, each time taking memory from every other job
                    String what = outOfMemory.getMessage() == null ? "OutOfMemoryError" : outOfMemory.getMessage();
                    finish(JobStatus.FAILED, new IllegalStateException("Job " + graph.name() + " ran out of memory ("
                            + what + ") and is not restarted. Its state is released; start it again"
                            + " once the platform has more memory (-Xmx in CAIRN_JAVA_OPTS, 2g by default) or the job"
                            + " needs less.", cause));
                    return;
                }
                if (isDamagedSnapshot(cause)) {
                    if (!fallBack(restoring, cause)) {
                        return;
                    }
                    continue;
                }
                // storage that failed the claim is given the restart strategy's pauses, as a failed attempt is
                Optional<Duration> pause = attempt == null && claimed ? Optional.empty() : restartPolicy.onFailure();
                if (pause.isEmpty()) {
                    if (attempt != null || !claimed) {
                        LOG.info(() -> "Job " + graph.name() + " fails: its restart strategy allows no more restarts (" + restartPolicy.limit() + ")");
                    }
                    finish(JobStatus.FAILED, cause);
                    return;
                }
                restarts++;
                snapshots.metrics().restarted();
                status = JobStatus.RESTARTING;
                Throwable reason = cause;
                String limit = restartPolicy.limit();
                LOG.info(() -> "Job " + graph.name() + " failed (" + reason + "); restarts in " + pause.get().toMillis() + " ms (" + limit + ")");
                Thread.sleep(pause.get().toMillis());
                status = JobStatus.RUNNING;
            }
        } catch (InterruptedException e) {
            finish(JobStatus.CANCELLED, null);
        } catch (Throwable t) {
            finish(JobStatus.FAILED, t);
        }
    }

    /**
     * The recovery point is damaged: move to the newest older completed snapshot if the job
     * allows it; otherwise the job fails, never restarting from empty state.
     *
     * @return whether the job goes on
     */
    private boolean fallBack(String damaged, Throwable cause) throws IOException {
        if (damaged == null || damaged.equals(seededDirectory) || !config.fallbackToPreviousCheckpoint()) {
            finish(JobStatus.FAILED, cause);
            return false;
        }
        LedgerEntry previous = snapshots.ledger().markDamaged(damaged).orElse(null);
        if (previous == null) {
            finish(JobStatus.FAILED, new IllegalStateException("Snapshot " + damaged + " of job " + graph.name()
                    + " is damaged and the job has no older completed snapshot to fall back to (checkpoint.retained="
                    + config.checkpoints().retained() + "). It is not restarted from empty state: that would replay output"
                    + " already committed. Resume it from a savepoint, or repair the snapshot.", cause));
            return false;
        }
        LOG.log(Level.WARNING, "Snapshot " + damaged + " of job " + graph.name() + " is damaged; falling back to " + previous.directory(), cause);
        return true;
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static boolean isDamagedSnapshot(Throwable t) {
        return cause(t, CorruptSnapshotException.class) != null || cause(t, InvalidSnapshotException.class) != null;
    }

    private void finish(JobStatus finalStatus, Throwable cause) {
        failureCause = cause;
        current = null; // its tasks, and with them the state they held, can be collected
        status = finalStatus;
        try {
            storage.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing storage", e);
        }
        deleteRecursively(runtime.workingDirectory());
        terminated.countDown();
    }

    private static void deleteRecursively(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; nothing depends on it
        }
    }

    public JobMetrics metrics() {
        return snapshots.metrics();
    }

    /** Whether this run's backend is wrapped by the changelog. */
    public boolean changelog() {
        return runtime.changelog();
    }

    public JobConfig jobConfig() {
        return config;
    }

    /** The checkpoints the ledger keeps for recovery now, oldest first. */
    public List<CompletedSnapshot> retainedCheckpoints() {
        List<CompletedSnapshot> result = new ArrayList<>();
        for (LedgerEntry e : snapshots.ledger().entries()) {
            if (e.kind() == SnapshotKind.CHECKPOINT && e.recoverable()) {
                try {
                    result.add(snapshots.ledger().snapshot(e));
                } catch (IOException unreadable) {
                    // not recoverable either
                }
            }
        }
        return result;
    }

    public SnapshotCatalog snapshotCatalog() {
        return snapshots.catalog();
    }

    public SnapshotLedger snapshotLedger() {
        return snapshots.ledger();
    }

    // ---- JobClient

    @Override
    public String jobName() {
        return graph.name();
    }

    /** Records the job's sources have not read yet (Kafka: its lag), or -1 while not running or when a source cannot tell. */
    public long pendingRecords() {
        ExecutionAttempt a = current;
        return a == null || status != JobStatus.RUNNING ? -1 : a.pendingRecords();
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
        return savepoint(name, false, Ownership.USER, defaultSavepointFormat());
    }

    @Override
    public CompletableFuture<String> stopWithSavepoint(String name) {
        return savepoint(name, true, Ownership.USER, defaultSavepointFormat());
    }

    /** Savepoints are canonical (any backend, any key-group count can read them) when that format is installed, else full. */
    public String defaultSavepointFormat() {
        return runtime.formats().find(CANONICAL).isPresent() ? CANONICAL : SnapshotFormat.FULL;
    }

    /** The snapshot formats present now. */
    public SnapshotFormats formats() {
        return runtime.formats();
    }

    /** Gives up a stop that is still pending (its snapshot is aborted); the job goes on running. */
    public void abortStop(Throwable cause) {
        ExecutionAttempt a = current;
        if (a != null) {
            a.coordinator().abortStops(cause);
        }
    }

    /** Whether the current attempt is ending by itself: its final or stop snapshot has completed. */
    public boolean ending() {
        ExecutionAttempt a = current;
        return a != null && a.coordinator().ending();
    }

    /** Stops the job with a checkpoint (native and incremental where the backend can): a handover that keeps the backend. */
    public CompletableFuture<String> stopWithCheckpoint() {
        ExecutionAttempt a = current;
        if (a == null || status != JobStatus.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + graph.name() + " is " + status));
        }
        return a.coordinator().triggerStopWithCheckpoint();
    }

    /**
     * A savepoint owned by {@code ownership}: the user's are never deleted automatically, the
     * platform's handovers are. {@code format} is {@link SnapshotFormats#NATIVE} or a format's name.
     */
    public CompletableFuture<String> savepoint(String name, boolean stop, Ownership ownership, String format) {
        ExecutionAttempt a = current;
        if (a == null || status != JobStatus.RUNNING) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + graph.name() + " is " + status));
        }
        try {
            if (storage.exists(SnapshotCatalog.metadataPath(snapshots.catalog().savepointDirectory(name)))) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("A savepoint named '" + name + "' already exists"));
            }
        } catch (IllegalArgumentException | IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return a.coordinator().triggerSavepoint(name, stop, ownership, format);
    }

    /** Deletes a savepoint the ledger lists, unless the job recovers from it. */
    @Override
    public void deleteSavepoint(String name) throws IOException {
        snapshots.discard(snapshots.catalog().savepointDirectory(name));
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
        return snapshots.lastCompletedCheckpointId();
    }
}
