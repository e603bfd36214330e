package dev.cairn.core.internal.platform;

import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.LedgerTakenOverException;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.core.internal.platform.PluginTracker.Plugin;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One configured job on the platform: keeps its accepted configuration, runs it when its plugins
 * are present, and carries its state across stops, plugin updates and reconfiguration through
 * savepoints. Where it is in its life is one {@link Phase}; each step is a {@link JobRun} started
 * or stopped. Every transition is synchronized; what the console reads is volatile.
 */
public final class JobInstance {

    private static final Logger LOG = Logger.getLogger(JobInstance.class.getName());

    /** What the kernel offers a job instance. */
    interface Platform {
        PluginTracker plugins();

        Duration stopTimeout();

        /** Where jobs' working folders go ({@code <cairn.data>/work}, emptied by {@code bin/cairn run} when it starts). */
        Path workingRoot();

        /** Runs {@code action} later on the kernel's own thread. */
        void later(Runnable action);
    }

    /** Between runs, running, or ended by itself with its job master released. */
    private sealed interface Phase {
        /** Not running; {@code waitingFor} says why, or is {@code null} when the job was stopped. */
        record Idle(String waitingFor) implements Phase {
        }

        /** A run, which may also have ended by itself (finished, failed) and is kept until released. */
        record Running(JobRun run) implements Phase {
        }

        /** A run that ended by itself, its job master (and the plugins' class loaders it held) released. */
        record Released(JobState state, String failure, boolean takenOver) implements Phase {
        }
    }

    private final String pid;
    private final Platform platform;
    private final String refusedName;
    /** Outlives runs: records, restarts and checkpoints count on across restarts, rescales and switches. */
    private final JobMetrics metrics = new JobMetrics();
    private volatile JobSpec spec;
    private volatile String refusal;
    private volatile Phase phase = new Phase.Idle(null);
    /** A range handed over or lost: it never runs here again, whatever plugin events are still queued for it. */
    private boolean retired;
    /** The ledger's recovery point as last seen while the job did not run (the running job's ledger says it live). */
    private volatile String recoveryPoint;
    /**
     * The state an operator command (stop, cancel, start) asked for, until its configuration
     * arrives: ConfigAdmin delivers asynchronously, and an older delivery or a plugin coming
     * meanwhile must not undo the command.
     */
    private volatile JobSpec.DesiredState requested;

    JobInstance(String pid, JobSpec spec, Platform platform) {
        this.pid = pid;
        this.refusedName = null;
        this.spec = spec;
        this.platform = platform;
    }

    private JobInstance(String pid, String refusedName, String refusal, Platform platform) {
        this.pid = pid;
        this.refusedName = refusedName;
        this.platform = platform;
        this.refusal = refusal;
    }

    /**
     * A job configuration refused from the start: shown by the console, never run.
     *
     * @param name what the configuration would name the job (its file's name for a file in etc/ or deploy/), or its pid
     */
    static JobInstance refused(String pid, String name, String refusal, Platform platform) {
        LOG.warning("Job configuration " + (name.equals(pid) ? pid : name + " (" + pid + ")") + " refused: " + refusal);
        return new JobInstance(pid, name, refusal, platform);
    }

    public String pid() {
        return pid;
    }

    /** The job's name; while no valid configuration was accepted, the name its configuration gives, or its pid. */
    public String name() {
        JobSpec s = spec;
        return s != null ? s.name() : refusedName != null ? refusedName : pid;
    }

    public JobSpec spec() {
        return spec;
    }

    /** Whether the job should run: what the last operator command asked for, else its configuration. */
    public JobSpec.DesiredState desiredState() {
        JobSpec.DesiredState r = requested;
        return r != null ? r : spec.desiredState();
    }

    /** The last configuration refused for this job, or {@code null}. */
    public String refusal() {
        return refusal;
    }

    /** The job's counters and recent checkpoints, over all its runs on this platform. */
    public JobMetrics metrics() {
        return metrics;
    }

    /** The job master of the current run, or {@code null}. */
    public JobMaster master() {
        return phase instanceof Phase.Running r ? r.run().master() : null;
    }

    /** Whether the last run ended because another process took the job's ledger over. */
    private boolean takenOver() {
        if (phase instanceof Phase.Released r) {
            return r.takenOver();
        }
        JobMaster m = master();
        return m != null && m.status() == JobStatus.FAILED && LedgerTakenOverException.causedBy(m.failureCause());
    }

    public List<Plugin> pluginsInUse() {
        return phase instanceof Phase.Running r ? r.run().plugins() : List.of();
    }

    public JobState state() {
        return stateIn(phase);
    }

    /** The job's state and the run it comes from, read together: a console reading them one after the other could mix two runs. */
    public record View(JobState state, JobMaster master) {
    }

    public View view() {
        Phase p = phase;
        return new View(stateIn(p), p instanceof Phase.Running r ? r.run().master() : null);
    }

    private JobState stateIn(Phase p) {
        if (spec == null) {
            return JobState.REFUSED;
        }
        if (p instanceof Phase.Running r) {
            return stateOf(r.run().master().status());
        }
        if (desiredState() == JobSpec.DesiredState.SUSPENDED) {
            return JobState.SUSPENDED;
        }
        if (p instanceof Phase.Released e) {
            return e.state();
        }
        return ((Phase.Idle) p).waitingFor() != null ? JobState.WAITING : JobState.STOPPED;
    }

    private static JobState stateOf(JobStatus status) {
        return status == JobStatus.CREATED ? JobState.STARTING : JobState.valueOf(status.name());
    }

    /** Why the job waits, why the last run failed, or {@code null}. */
    public String reason() {
        if (spec == null) {
            return refusal;
        }
        Phase p = phase;
        if (p instanceof Phase.Running r) {
            Throwable cause = r.run().master().failureCause();
            return cause == null ? null : cause.toString();
        }
        if (p instanceof Phase.Released e) {
            return e.failure();
        }
        return desiredState() == JobSpec.DesiredState.RUNNING ? ((Phase.Idle) p).waitingFor() : null;
    }

    /** The snapshot the job recovers from when it (re)starts, as its ledger says. */
    public String resumePath() {
        JobMaster m = master();
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
        JobMaster m = master();
        if (m != null && isActive()) {
            return action.apply(m.snapshotCatalog(), m.snapshotLedger(), m);
        }
        if (spec == null) {
            throw new IllegalStateException("Job configuration " + pid + " was refused: " + refusal);
        }
        Plugin storage = spec.plugin(platform.plugins(), Kind.STORAGE).orElseThrow(() ->
                new IllegalStateException(spec.wanted(Kind.STORAGE) + " is not installed (" + spec.installed(platform.plugins(), Kind.STORAGE) + ")"));
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
        if (phase instanceof Phase.Running) {
            return true;
        }
        try {
            return spec.plugin(platform.plugins(), Kind.STORAGE).isPresent()
                    && withCatalog((catalog, ledger, running) -> ledger.recoveryPoint().isPresent()
                    || catalog.storage().exists(StorageMove.markerPath(spec.name()))); // a move not finished yet
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot read the snapshot ledger of job " + spec.name() + "; treating the job as having state", e);
            return true;
        }
    }

    private boolean isActive() {
        return phase instanceof Phase.Running r && r.run().active();
    }

    // ---- configuration

    void refuse(String message) {
        refusal = message;
        LOG.warning("Configuration of job " + spec.name() + " refused, the job keeps its current one: " + message);
    }

    /**
     * Checks that {@code next} may replace the current configuration. A job with state that moves
     * to another storage gets the move prepared there first, so a kill after the new configuration
     * is stored still finds the state.
     */
    synchronized void checkUpdate(JobSpec next) throws InvalidConfigurationException {
        boolean hasState = hasState();
        JobUpdateRules.check(spec, next, hasState, platform.plugins());
        if (!hasState) {
            return;
        }
        if (!isActive() && changesStateLayout(spec, next) && nativeRecoveryPoint()) {
            Switched switched = Switched.between(spec, next);
            throw InvalidConfigurationException.of(switched.property(), switched.value(),
                    "job " + spec.name() + " is " + state() + " and recovers from a native snapshot of backend " + spec.config().backend()
                            + ", which only that backend reads with these key groups: start it first and change it while it runs"
                            + " (the switch takes a canonical savepoint), or resume it from a canonical savepoint");
        }
        if (changesStorage(spec, next)) {
            try {
                StorageMove.prepare(spec, next, platform.plugins());
            } catch (IOException | RuntimeException e) {
                throw InvalidConfigurationException.of("job.storage", next.config().storage(),
                        "the job's state cannot move there: " + e.getMessage());
            }
        }
        if (isActive() && changesStateLayout(spec, next)) {
            stopForSwitch(spec, next);
        }
    }

    /**
     * A running job changes backend or key-group count: it stops with a backend-neutral savepoint
     * before the new configuration is stored, so that whatever moment the platform is killed at,
     * the configuration it restarts with can read the recovery point. If the savepoint fails the
     * change is refused and the job keeps running.
     */
    private void stopForSwitch(JobSpec previous, JobSpec next) throws InvalidConfigurationException {
        String what = describeSwitch(previous, next);
        LOG.info(() -> "Job " + next.name() + ": switching " + what);
        CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
        JobRun run = ((Phase.Running) phase).run();
        try {
            run.stopOrKeepRunning(handoverFor(previous, next), platform.stopTimeout(), "switching " + what);
        } catch (Exception e) {
            Switched switched = Switched.between(previous, next);
            throw InvalidConfigurationException.of(switched.property(), switched.value(), "switching " + what + " failed, so job " + previous.name()
                    + " keeps running as it was: " + rootMessage(e));
        }
        recoveryPoint = run.master().snapshotLedger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
        phase = new Phase.Idle(null);
        CrashPoint.HANDOVER_BEFORE_RESTART.reach();
    }

    /** The property whose change makes a switch of state layout, and its new value. */
    private record Switched(String property, Object value) {
        static Switched between(JobSpec a, JobSpec b) {
            if (!a.config().backend().equals(b.config().backend())) {
                return new Switched("job.backend", b.config().backend());
            }
            if (a.config().maxParallelism() != b.config().maxParallelism()) {
                return new Switched("job.max-parallelism", b.config().maxParallelism());
            }
            return new Switched("job.changelog", b.changelog());
        }
    }

    /** A change the new run cannot restore natively: another backend or key-group count, or the changelog turned off (only the changelog reads its handles). */
    private static boolean changesStateLayout(JobSpec a, JobSpec b) {
        return !a.config().backend().equals(b.config().backend()) || a.config().maxParallelism() != b.config().maxParallelism()
                || (a.changelog() && !b.changelog());
    }

    private boolean changesStorage(JobSpec a, JobSpec b) {
        return StorageMove.relocates(a, b, platform.plugins());
    }

    /** Why the job cannot restore yet: its recovery point is in a format whose plugin is not installed. */
    private Optional<String> missingFormat() throws IOException {
        Optional<LedgerEntry> point = withCatalog((catalog, ledger, running) -> ledger.recoveryPoint());
        if (point.isEmpty() || List.of("incremental", "native", SnapshotFormat.FULL).contains(point.get().format())
                || platform.plugins().find(Kind.FORMAT, point.get().format()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("waiting for snapshot format '" + point.get().format() + "' to restore " + point.get().directory()
                + " (installed: " + platform.plugins().names(Kind.FORMAT) + ")");
    }

    /** Whether the ledger's recovery point holds a backend's native files (only that backend reads them, with these key groups). */
    private boolean nativeRecoveryPoint() {
        try {
            return withCatalog((catalog, ledger, running) -> {
                Optional<LedgerEntry> point = ledger.recoveryPoint();
                return point.isPresent() && catalog.load(point.get().directory()).metadata().operators().stream()
                        .flatMap(op -> op.subtasks().stream())
                        .anyMatch(st -> st.keyedState() instanceof NativeFilesHandle || st.keyedState() instanceof ChangelogHandle);
            });
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /** Applies an accepted configuration: a running job whose run changes moves over through a savepoint. */
    synchronized void configure(JobSpec next) {
        refusal = null;
        JobSpec previous = spec;
        spec = next;
        if (requested == next.desiredState()) {
            requested = null;
        }
        if (isActive() && (changesStateLayout(previous, next) || changesStorage(previous, next))) {
            switchRun(previous, next); // a storage move, or a change that arrived as a file
            return;
        }
        if (changesStateLayout(previous, next) && phase instanceof Phase.Idle && desiredState() == JobSpec.DesiredState.RUNNING) {
            reconcile(); // stopped for the switch when the change was checked: it starts on the new configuration now
            CrashPoint.HANDOVER_AFTER_RESTART.reach();
            return;
        }
        if (isActive() && (!previous.sameRun(next) || (!previous.versions().equals(next.versions()) && !runsOnPluginsOf(next)))) {
            LOG.info(() -> "Job " + next.name() + " reconfigured: stopping with a snapshot to resume with the new configuration");
            stopForHandover(handoverFor(previous, next), "reconfigured");
            CrashPoint.HANDOVER_BEFORE_RESTART.reach();
            reconcile();
            CrashPoint.HANDOVER_AFTER_RESTART.reach();
            return;
        }
        reconcile();
    }

    /** Whether the current run is on the plugins {@code next} picks (another version range may pick others). */
    private boolean runsOnPluginsOf(JobSpec next) {
        List<Plugin> used = pluginsInUse();
        return JobRun.kindsUsedBy(next).stream().allMatch(kind -> next.plugin(platform.plugins(), kind)
                .map(p -> used.stream().anyMatch(u -> u.service() == p.service())).orElse(false));
    }

    /**
     * Moves the running job to another backend, key-group count or storage: it stops with a
     * snapshot the new run can read, which then starts from it. If that snapshot fails, the job
     * keeps running as it was, and the change is reported as refused.
     */
    private void switchRun(JobSpec previous, JobSpec next) {
        String what = describeSwitch(previous, next);
        LOG.info(() -> "Job " + next.name() + ": switching " + what);
        CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
        JobRun run = ((Phase.Running) phase).run();
        try {
            run.stopOrKeepRunning(handoverFor(previous, next), platform.stopTimeout(), "switching " + what);
        } catch (Exception e) {
            spec = previous;
            refuse("switching " + what + " failed, so job " + previous.name() + " keeps running as it was: " + rootMessage(e));
            return;
        }
        recoveryPoint = run.master().snapshotLedger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
        phase = new Phase.Idle(null);
        CrashPoint.HANDOVER_BEFORE_RESTART.reach();
        reconcile();
        CrashPoint.HANDOVER_AFTER_RESTART.reach();
    }

    private String describeSwitch(JobSpec a, JobSpec b) {
        List<String> parts = new java.util.ArrayList<>();
        if (!a.config().backend().equals(b.config().backend())) {
            parts.add("backend " + a.config().backend() + " -> " + b.config().backend());
        }
        if (a.config().maxParallelism() != b.config().maxParallelism()) {
            parts.add("max parallelism " + a.config().maxParallelism() + " -> " + b.config().maxParallelism());
        }
        if (a.changelog() != b.changelog()) {
            parts.add("changelog " + (a.changelog() ? "on -> off" : "off -> on"));
        }
        if (changesStorage(a, b)) {
            parts.add("storage " + a.config().storage() + " -> " + b.config().storage());
        }
        return String.join(", ", parts);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    // ---- lifecycle

    /** Brings the job to its desired state as far as the present plugins allow. */
    synchronized void reconcile() {
        if (retired) {
            return;
        }
        if (desiredState() == JobSpec.DesiredState.SUSPENDED) {
            if (isActive()) {
                stopForHandover(JobRun.Stop.CHECKPOINT, "suspended");
            }
            return;
        }
        if (!(phase instanceof Phase.Idle)) {
            return; // running, or ended by itself: only an explicit start runs it again
        }
        Optional<String> missing = JobRun.missingPlugins(spec, platform.plugins());
        if (missing.isPresent()) {
            phase = new Phase.Idle(missing.get());
            return;
        }
        try {
            StorageMove.complete(spec, platform.plugins()).ifPresent(moved -> recoveryPoint = moved);
            Optional<String> format = missingFormat();
            if (format.isPresent()) {
                phase = new Phase.Idle(format.get());
                return;
            }
            boolean seed = spec.config().restore() != null && !hasState();
            phase = new Phase.Running(JobRun.start(spec, platform.plugins(), seed, metrics, platform.workingRoot()));
        } catch (Exception | LinkageError e) {
            // a plugin that cannot load its own classes must not take the kernel thread with it
            boolean refused = e instanceof IllegalArgumentException; // a value the definition or a plugin refused: its message says it all
            phase = new Phase.Idle("could not start: " + (refused ? e.getMessage() : e.toString()));
            if (refused) {
                LOG.warning(() -> "Job " + spec.name() + " could not start: " + e.getMessage());
            } else {
                LOG.log(Level.WARNING, "Job " + spec.name() + " could not start", e);
            }
        }
    }

    /**
     * How a run moves to configuration {@code next}: the backend's own incremental checkpoint
     * while the backend and the key groups stay (the stop costs the change since the last
     * checkpoint), else a backend-neutral savepoint the new run reads into its backend and key groups.
     */
    private JobRun.Stop handoverFor(JobSpec previous, JobSpec next) {
        return changesStateLayout(previous, next) ? JobRun.Stop.handoverSavepoint(master().defaultSavepointFormat()) : JobRun.Stop.CHECKPOINT;
    }

    /** Stops the running job with a snapshot the platform owns; the next run recovers from it. */
    private void stopForHandover(JobRun.Stop stop, String why) {
        CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
        stopRun(stop, why);
    }

    /**
     * Stops the current run as {@code stop} says (a snapshot needs it to be active, else it is
     * cancelled); the job is idle afterwards.
     *
     * @return the snapshot's path, or {@code null}
     */
    private String stopRun(JobRun.Stop stop, String why) {
        if (!(phase instanceof Phase.Running r)) {
            return null;
        }
        String path = r.run().stop(stop, platform.stopTimeout(), why);
        recoveryPoint = r.run().master().snapshotLedger().recoveryPoint().map(LedgerEntry::directory).orElse(null);
        phase = new Phase.Idle(null);
        return path;
    }

    // ---- plugins coming and going

    synchronized void pluginAdded() {
        if (!(phase instanceof Phase.Running)) {
            reconcile();
        }
    }

    /** The job stops with a savepoint if it runs on {@code plugin}, then waits for a replacement. */
    synchronized void pluginRemoved(Plugin plugin) {
        if (!(phase instanceof Phase.Running r) || !r.run().uses(plugin)) {
            return;
        }
        if (r.run().active()) {
            CrashPoint.HANDOVER_BEFORE_SAVEPOINT.reach();
            stopRun(JobRun.Stop.CHECKPOINT, plugin.kind().name().toLowerCase()
                    + " '" + plugin.name() + "' of " + plugin.origin() + " is going away");
            CrashPoint.HANDOVER_BEFORE_RESTART.reach();
            platform.later(this::reconcile);
        } else {
            // keep how the run ended, but not its job master: it holds the plugins' objects and so their class loaders
            JobMaster m = r.run().master();
            phase = new Phase.Released(stateOf(m.status()), m.failureCause() == null ? null : m.failureCause().toString(), takenOver());
        }
    }

    // ---- operator commands

    /** Starts the job again (after it was suspended, stopped, finished or failed), from its ledger's recovery point. */
    public synchronized void startAgain() {
        if (retired) {
            throw new IllegalStateException("Job " + spec.name() + " was handed over to another process");
        }
        if (spec.isRange() && takenOver()) {
            // its group moved it: the process gives it up once it learns so, and starting it would take the ledger back
            throw new IllegalStateException("Job " + spec.name() + " was taken over by another process");
        }
        if (isActive()) {
            throw new IllegalStateException("Job " + spec.name() + " is already " + state());
        }
        request(JobSpec.DesiredState.RUNNING);
        recoveryPoint = resumePath();
        phase = new Phase.Idle(null);
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

    /**
     * Stops with a savepoint the user owns, in {@code format} ({@code null} for the default); the
     * job resumes from it. A format that is not installed is refused before anything stops.
     */
    public synchronized String stopWithSavepoint(String savepointName, String format) throws IOException {
        if (!isActive()) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        format = savepointFormat(format);
        request(JobSpec.DesiredState.SUSPENDED);
        String path = stopRun(JobRun.Stop.savepoint(savepointName, Ownership.USER, format), "stopped by the user");
        if (path == null) {
            throw new IllegalStateException("The savepoint of job " + spec.name() + " failed; the job was cancelled and resumes from its newest snapshot");
        }
        return path;
    }

    /** Waits, as long as it takes, until the current run has ended; a run that ignores its cancellation is logged every minute. */
    void awaitRunEnded() {
        JobMaster m = master();
        if (m == null) {
            return;
        }
        try {
            while (true) {
                JobStatus s = m.await(java.time.Duration.ofMinutes(1));
                if (s != JobStatus.CREATED && s != JobStatus.RUNNING && s != JobStatus.RESTARTING) {
                    return;
                }
                m.cancel();
                LOG.severe("Job " + spec.name() + " has not ended; waiting for it before it runs elsewhere (see its threads' dump)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops a range of a shared job for good in this process: with a checkpoint its next owner
     * restores ({@code handOver}), or without one, as a process does that lost the range without a
     * handover (another process may run it already, and this run's snapshots and commits must not
     * race the new owner's). Nothing starts it here again.
     */
    synchronized void retire(boolean handOver, String why) {
        retired = true;
        if (handOver) {
            dispose(false);
        } else {
            stopRun(JobRun.Stop.CANCEL, why);
        }
    }

    /** Cancels without a savepoint; the job resumes from its newest snapshot. */
    public synchronized void cancel() {
        if (!(phase instanceof Phase.Running)) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        request(JobSpec.DesiredState.SUSPENDED);
        stopRun(JobRun.Stop.CANCEL, "cancelled by the user");
    }

    /**
     * Holds {@code state} until a configuration saying so arrives: the console writes one next,
     * and deliveries of earlier configurations (a stop's, arriving after the start that followed
     * it) must not undo the command.
     */
    private void request(JobSpec.DesiredState state) {
        requested = state;
    }

    /** A savepoint the user owns, in {@code format} ({@code null} for the default). */
    public CompletableFuture<String> savepoint(String savepointName, String format) {
        JobMaster m = master();
        if (m == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Job " + spec.name() + " is " + state()));
        }
        try {
            return m.savepoint(savepointName, false, Ownership.USER, savepointFormat(format));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** {@code format} checked against what is installed, or the job's default when {@code null}. */
    private String savepointFormat(String format) throws IOException {
        JobMaster m = master();
        if (format == null) {
            return m.defaultSavepointFormat();
        }
        if (!format.equals(SnapshotFormats.NATIVE)) {
            m.formats().require(format);
        }
        return format;
    }

    public void injectFailure() {
        if (!(phase instanceof Phase.Running r) || !r.run().active()) {
            throw new IllegalStateException("Job " + spec.name() + " is " + state());
        }
        r.run().chaos().arm();
    }

    /**
     * The configuration was deleted or the kernel stops: stop with a savepoint. A deleted job's
     * ledger is retired: its snapshots become the user's, and a new job of that name starts afresh.
     *
     * @return the path of the savepoint a deleted job stopped with; {@code null} when it was not running
     */
    synchronized String dispose(boolean forget) {
        // a removed job leaves a self-contained savepoint a new job can start from; a stopping platform, a checkpoint
        JobRun.Stop stop = !isActive() ? JobRun.Stop.CANCEL
                : forget ? JobRun.Stop.handoverSavepoint(master().defaultSavepointFormat()) : JobRun.Stop.CHECKPOINT;
        String path = stopRun(stop, forget ? "configuration deleted" : "platform stopping");
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
        return path;
    }
}
