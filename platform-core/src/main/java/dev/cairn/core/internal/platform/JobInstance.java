package dev.cairn.core.internal.platform;

import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.api.platform.JobDefinition;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.core.internal.platform.PluginTracker.Plugin;
import dev.cairn.core.internal.runtime.JobMaster;
import dev.cairn.core.internal.runtime.PluginRegistry;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One configured job on the platform: keeps its accepted configuration, runs it when its plugins
 * are present, and carries its state across stops, plugin updates and reconfiguration through
 * savepoints. Every transition is synchronized; what the console reads is volatile.
 */
public final class JobInstance {

    private static final Logger LOG = Logger.getLogger(JobInstance.class.getName());

    /** What the kernel offers a job instance. */
    interface Platform {
        PluginTracker plugins();

        Duration stopTimeout();

        /** Runs {@code action} later on the kernel's own thread. */
        void later(Runnable action);
    }

    private final String pid;
    private final Platform platform;
    private volatile JobSpec spec;
    private volatile String refusal;
    private volatile String waitingFor;
    private volatile JobMaster master;
    private volatile List<Plugin> inUse = List.of();
    private volatile EndedRun ended;
    private ChaosInjector chaos;
    /** The ledger's recovery point as last seen while the job did not run (the running job's ledger says it live). */
    private volatile String recoveryPoint;

    /** How a run that ended by itself ended, kept after its job master (and the plugins it held) is released. */
    private record EndedRun(String status, String failure) {
    }

    JobInstance(String pid, JobSpec spec, Platform platform) {
        this.pid = pid;
        this.spec = spec;
        this.platform = platform;
    }

    private JobInstance(String pid, String refusal, Platform platform) {
        this.pid = pid;
        this.platform = platform;
        this.refusal = refusal;
    }

    /** A job configuration refused from the start: shown by the console, never run. */
    static JobInstance refused(String pid, String refusal, Platform platform) {
        LOG.warning("Job configuration " + pid + " refused: " + refusal);
        return new JobInstance(pid, refusal, platform);
    }

    public String pid() {
        return pid;
    }

    /** The job's name, or its configuration's pid while no valid configuration was accepted. */
    public String name() {
        JobSpec s = spec;
        return s == null ? pid : s.name();
    }

    public JobSpec spec() {
        return spec;
    }

    /** The last configuration refused for this job, or {@code null}. */
    public String refusal() {
        return refusal;
    }

    public JobMaster master() {
        return master;
    }

    public List<Plugin> pluginsInUse() {
        return inUse;
    }

    /** RUNNING, RESTARTING, WAITING, SUSPENDED or how the last run ended (FINISHED, FAILED, …). */
    public String state() {
        if (spec == null) {
            return "REFUSED";
        }
        JobMaster m = master;
        if (m != null) {
            return m.status() == JobStatus.CREATED ? "STARTING" : m.status().name();
        }
        if (spec.desiredState() == JobSpec.DesiredState.SUSPENDED) {
            return "SUSPENDED";
        }
        EndedRun e = ended;
        if (e != null) {
            return e.status();
        }
        return waitingFor != null ? "WAITING" : "STOPPED";
    }

    /** Why the job waits, why the last run failed, or {@code null}. */
    public String reason() {
        if (spec == null) {
            return refusal;
        }
        JobMaster m = master;
        if (m != null && m.failureCause() != null) {
            return m.failureCause().toString();
        }
        EndedRun e = ended;
        if (m == null && e != null && e.failure() != null) {
            return e.failure();
        }
        return m == null && spec.desiredState() == JobSpec.DesiredState.RUNNING ? waitingFor : null;
    }

    /** The snapshot the job recovers from when it (re)starts, as its ledger says. */
    public String resumePath() {
        JobMaster m = master;
        if (m != null) {
            return m.snapshotLedger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
        }
        return recoveryPoint;
    }

    /** What the console does with a job's snapshots. */
    public interface CatalogAction<T> {
        T apply(SnapshotCatalog catalog, SnapshotLedger ledger, JobMaster running) throws IOException;
    }

    /**
     * Runs {@code action} on the job's snapshot catalog and ledger: the running job's own, so that
     * updates respect what it references, or ones opened on the job's storage while it does not run.
     */
    public <T> T withCatalog(CatalogAction<T> action) throws IOException {
        JobMaster m = master;
        if (m != null && isActive()) {
            return action.apply(m.snapshotCatalog(), m.snapshotLedger(), m);
        }
        if (spec == null) {
            throw new IllegalStateException("Job configuration " + pid + " was refused: " + refusal);
        }
        Plugin storage = platform.plugins().find(Kind.STORAGE, spec.config().storage()).orElseThrow(() ->
                new IllegalStateException("storage '" + spec.config().storage() + "' is not installed"));
        try (SnapshotStorage st = ((SnapshotStorageProvider) storage.service()).open(spec.config().storageConfig())) {
            SnapshotCatalog catalog = new SnapshotCatalog(st, spec.name());
            SnapshotLedger ledger = SnapshotLedger.open(catalog);
            T result = action.apply(catalog, ledger, null);
            recoveryPoint = ledger.recoveryPoint().map(LedgerEntry::directory).orElse(null);
            return result;
        }
    }

    /** Whether the job has a snapshot to recover from (unknown, so false, while its storage plugin is missing). */
    private boolean hasState() {
        if (master != null) {
            return true;
        }
        try {
            return platform.plugins().find(Kind.STORAGE, spec.config().storage()).isPresent()
                    && withCatalog((catalog, ledger, running) -> ledger.recoveryPoint().isPresent());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot read the snapshot ledger of job " + spec.name() + "; treating the job as having state", e);
            return true;
        }
    }

    // ---- configuration

    void refuse(String message) {
        refusal = message;
        LOG.warning("Configuration of job " + spec.name() + " refused, the job keeps its current one: " + message);
    }

    /** Checks that {@code next} may replace the current configuration: names and plugins of a job with state stay. */
    synchronized void checkUpdate(JobSpec next) throws InvalidConfigurationException {
        if (!next.name().equals(spec.name())) {
            throw InvalidConfigurationException.of("job.name", next.name(), "a job keeps its name (" + spec.name() + "); create a new job instead");
        }
        boolean hasState = hasState();
        JobConfig now = spec.config();
        JobConfig then = next.config();
        if (hasState && !then.backend().equals(now.backend())) {
            throw InvalidConfigurationException.of("job.backend", then.backend(), "the job has " + now.backend()
                    + " state and backend-neutral (canonical) savepoints are not available yet; keep " + now.backend());
        }
        if (hasState && (!then.storage().equals(now.storage()) || !then.storageConfig().equals(now.storageConfig()))) {
            throw InvalidConfigurationException.of("job.storage", then.storage() + " " + then.storageConfig(),
                    "the job's snapshots live in " + now.storage() + "; keep its storage settings");
        }
        if (hasState && then.maxParallelism() != now.maxParallelism()) {
            throw InvalidConfigurationException.of("job.max-parallelism", then.maxParallelism(),
                    "it fixes the key groups of the job's state; keep " + now.maxParallelism());
        }
    }

    /** Applies an accepted configuration: a running job whose run changes moves over through a savepoint. */
    synchronized void configure(JobSpec next) {
        refusal = null;
        JobSpec previous = spec;
        spec = next;
        if (isActive() && !previous.sameRun(next)) {
            LOG.info(() -> "Job " + next.name() + " reconfigured: stopping with a savepoint to resume with the new configuration");
            stopForHandover("reconfigured");
            CrashPoint.HANDOVER_BEFORE_RESTART.reach();
            reconcile();
            CrashPoint.HANDOVER_AFTER_RESTART.reach();
            return;
        }
        reconcile();
    }

    // ---- lifecycle

    /** Brings the job to its desired state as far as the present plugins allow. */
    synchronized void reconcile() {
        if (spec.desiredState() == JobSpec.DesiredState.SUSPENDED) {
            if (isActive()) {
                stopForHandover("suspended");
            }
            return;
        }
        if (master != null || ended != null) {
            return; // running, or ended by itself: only an explicit start runs it again
        }
        PluginTracker plugins = platform.plugins();
        Optional<Plugin> definition = plugins.find(Kind.DEFINITION, spec.definition());
        Optional<Plugin> backend = plugins.find(Kind.BACKEND, spec.config().backend());
        Optional<Plugin> storage = plugins.find(Kind.STORAGE, spec.config().storage());
        List<String> missing = new ArrayList<>();
        if (definition.isEmpty()) {
            missing.add("job definition '" + spec.definition() + "' (installed: " + plugins.names(Kind.DEFINITION) + ")");
        }
        if (backend.isEmpty()) {
            missing.add("state backend '" + spec.config().backend() + "' (installed: " + plugins.names(Kind.BACKEND) + ")");
        }
        if (storage.isEmpty()) {
            missing.add("storage '" + spec.config().storage() + "' (installed: " + plugins.names(Kind.STORAGE) + ")");
        }
        if (!missing.isEmpty()) {
            waitingFor = "waiting for " + String.join(", ", missing);
            return;
        }
        waitingFor = null;
        try {
            start(definition.get(), backend.get(), storage.get());
        } catch (Exception | LinkageError e) {
            // a plugin that cannot load its own classes must not take the kernel thread with it
            waitingFor = "could not start: " + e;
            LOG.log(Level.WARNING, "Job " + spec.name() + " could not start", e);
        }
    }

    private void start(Plugin definition, Plugin backend, Plugin storage) throws IOException {
        JobSpec s = spec;
        // the ledger decides where a job with snapshots comes back from; restore.path only seeds one without
        boolean seeded = !hasState() && s.config().restore() != null;
        JobConfig config = s.config().withRestore(seeded ? s.config().restore() : null);
        JobDefinition def = (JobDefinition) definition.service();
        JobGraph graph = def.build(s.name(), s.parameters());
        if (!graph.name().equals(s.name())) {
            throw new IllegalStateException("job definition '" + s.definition() + "' built a graph named '" + graph.name() + "', not '" + s.name() + "'");
        }
        PluginRegistry pinned = new PinnedPlugins((StateBackend) backend.service(), (SnapshotStorageProvider) storage.service());
        chaos = new ChaosInjector();
        JobMaster m = new JobMaster(graph, config, pinned, def.getClass().getClassLoader(), chaos, System::currentTimeMillis);
        inUse = List.of(definition, backend, storage);
        master = m.start();
        String from = resumePath();
        LOG.info(() -> "Job " + s.name() + " started" + (from == null ? "" : " from " + from)
                + " on " + backend.origin() + ", " + storage.origin() + ", " + definition.origin());
    }

    private boolean isActive() {
        JobMaster m = master;
        return m != null && (m.status() == JobStatus.RUNNING || m.status() == JobStatus.RESTARTING || m.status() == JobStatus.CREATED);
    }

    /**
     * Stops the running job with a savepoint the platform owns (the next run recovers from it, as
     * the ledger records). If the savepoint fails the job is cancelled and recovers from its
     * newest snapshot instead: nothing committed is replayed.
     */
    private void stopForHandover(String why) {
        CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
        stop(true, "handover-" + System.currentTimeMillis(), Ownership.PLATFORM, why);
    }

    /** @return the savepoint's path, or {@code null} when the job was cancelled */
    private String stop(boolean savepoint, String savepointName, Ownership ownership, String why) {
        JobMaster m = master;
        if (m == null) {
            return null;
        }
        String path = null;
        if (savepoint && isActive()) {
            try {
                path = m.savepoint(savepointName, true, ownership).get(platform.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
                CrashPoint.STOP_AFTER_SAVEPOINT.reach();
                m.await(platform.stopTimeout());
            } catch (Exception e) {
                LOG.log(Level.WARNING, "Job " + spec.name() + " could not stop with a savepoint (" + why + "); cancelling it", e);
                path = null;
            }
        }
        if (path == null) {
            m.cancel();
            awaitQuietly(m);
        }
        CrashPoint.STOP_AFTER_JOB_ENDED.reach();
        recoveryPoint = m.snapshotLedger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
        master = null;
        inUse = List.of();
        ended = null;
        String at = path;
        LOG.info(() -> "Job " + spec.name() + " stopped (" + why + ")" + (at == null ? "" : "; savepoint " + at));
        return path;
    }

    private static void awaitQuietly(JobMaster m) {
        try {
            m.await(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- plugins coming and going

    synchronized void pluginAdded() {
        if (master == null) {
            reconcile();
        }
    }

    /** The job stops with a savepoint if it runs on {@code plugin}, then waits for a replacement. */
    synchronized void pluginRemoved(Plugin plugin) {
        if (inUse.stream().noneMatch(p -> p.service() == plugin.service())) {
            return;
        }
        if (isActive()) {
            CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
            stop(true, "handover-" + System.currentTimeMillis(), Ownership.PLATFORM, plugin.kind().name().toLowerCase()
                    + " '" + plugin.name() + "' of " + plugin.origin() + " is going away");
            CrashPoint.HANDOVER_BEFORE_RESTART.reach();
            platform.later(this::reconcile);
        } else {
            releaseEndedRun();
        }
    }

    /** Keeps how the run ended but drops its job master: it holds the plugins' objects and so their class loaders. */
    private void releaseEndedRun() {
        JobMaster m = master;
        if (m != null) {
            ended = new EndedRun(m.status().name(), m.failureCause() == null ? null : m.failureCause().toString());
            master = null;
            inUse = List.of();
        }
    }

    // ---- operator commands

    /** Starts the job again (after it was suspended, stopped, finished or failed), from its ledger's recovery point. */
    public synchronized void startAgain() {
        if (isActive()) {
            throw new IllegalStateException("Job " + spec.name() + " is already " + state());
        }
        if (master != null) {
            recoveryPoint = resumePath();
            master = null;
            inUse = List.of();
        }
        ended = null;
        reconcile();
    }

    /**
     * Makes {@code snapshotPath} (relative to the storage root) the job's recovery point for its
     * next start. A snapshot of this job older than its recovery point is refused unless
     * {@code force}: output up to the recovery point is committed, and would be committed again.
     */
    public synchronized String resumeFrom(String snapshotPath, ClaimMode claim, boolean force) throws IOException {
        if (isActive()) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state() + ": stop it first");
        }
        String dir = snapshotDirectory(snapshotPath);
        return withCatalog((catalog, ledger, running) -> {
            CompletedSnapshot s = catalog.load(dir);
            LedgerEntry current = ledger.recoveryPoint().orElse(null);
            if (current != null && !force && s.metadata().jobName().equals(spec.name()) && s.id() < current.id()) {
                throw new IllegalArgumentException("Snapshot " + dir + " (id " + s.id() + ") is older than " + current.directory()
                        + " (id " + current.id() + "), up to which job " + spec.name() + " has committed its output: resuming from it"
                        + " would commit that output again (duplicates). Add 'force' to resume from it anyway.");
            }
            ledger.recoverFrom(s, claim == ClaimMode.CLAIM ? Ownership.CLAIMED : Ownership.NOT_CLAIMED, false);
            return dir;
        });
    }

    /** A snapshot path as the console takes it: relative to the storage root, never leaving it. */
    static String snapshotDirectory(String path) {
        String p = path == null ? "" : path.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        try {
            return StoragePaths.requireRelative(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Snapshot path '" + path + "' is not allowed: give a directory relative to the job's"
                    + " storage root, such as <job>/savepoints/<name> or <job>/chk-<n>, without '..' or a leading '/'");
        }
    }

    /** Stops with a savepoint the user owns; the job resumes from it. */
    public synchronized String stopWithSavepoint(String savepointName) {
        if (!isActive()) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        String path = stop(true, savepointName, Ownership.USER, "stopped by the user");
        if (path == null) {
            throw new IllegalStateException("The savepoint of job " + spec.name() + " failed; the job was cancelled and resumes from its newest snapshot");
        }
        return path;
    }

    /** Cancels without a savepoint; the job resumes from its newest snapshot. */
    public synchronized void cancel() {
        if (master == null) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        stop(false, null, Ownership.PLATFORM, "cancelled by the user");
    }

    public CompletableFuture<String> savepoint(String savepointName) {
        JobMaster m = master;
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + spec.name() + " is " + state()));
        }
        return m.triggerSavepoint(savepointName);
    }

    public void injectFailure() {
        ChaosInjector c = chaos;
        if (!isActive() || c == null) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        c.arm();
    }

    /**
     * The configuration was deleted or the kernel stops: stop with a savepoint. A deleted job's
     * ledger is retired: its snapshots become the user's, and a new job of that name starts afresh.
     */
    synchronized void dispose(boolean forget) {
        String path = stop(isActive(), "handover-" + System.currentTimeMillis(), Ownership.PLATFORM,
                forget ? "configuration deleted" : "platform stopping");
        if (forget) {
            try {
                withCatalog((catalog, ledger, running) -> {
                    ledger.retire();
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "Could not retire the snapshot ledger of removed job " + spec.name(), e);
            }
            if (path != null) {
                LOG.info("Job " + spec.name() + " removed; its state is in savepoint " + path + " (restore.path to start a job from it)");
            }
        }
    }

    /** Exactly the plugins the job started with: a later registration under the same name does not leak in. */
    private record PinnedPlugins(StateBackend backend, SnapshotStorageProvider storage) implements PluginRegistry {
        @Override
        public Optional<StateBackend> backend(String name) {
            return Optional.of(backend);
        }

        @Override
        public Optional<SnapshotStorageProvider> storage(String name) {
            return Optional.of(storage);
        }

        @Override
        public Set<String> backendNames() {
            return Set.of(backend.name());
        }

        @Override
        public Set<String> storageNames() {
            return Set.of(storage.name());
        }
    }
}
