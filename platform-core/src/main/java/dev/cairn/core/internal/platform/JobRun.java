package dev.cairn.core.internal.platform;

import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.platform.JobDefinition;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.PluginRegistry;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.core.internal.platform.PluginTracker.Plugin;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.backend.StateBackendDecorator;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of a configured job: its job master, the plugins it was wired with, and the failure
 * injector {@code cairn:fail} arms. Starting and stopping a run are the transitions every
 * lifecycle step (start, handover, suspension, removal) is made of.
 */
record JobRun(JobMaster master, List<Plugin> plugins, ChaosInjector chaos) {

    private static final Logger LOG = Logger.getLogger(JobRun.class.getName());
    /**
     * How long a cancelled job may take to end: its subtasks are interrupted and get 30 s, then its
     * snapshot threads another 30 s.
     */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(90);

    /** What a job needs that is not installed, or empty. */
    static Optional<String> missingPlugins(JobSpec spec, PluginTracker plugins) {
        List<String> missing = new ArrayList<>();
        for (Kind kind : kindsUsedBy(spec)) {
            if (spec.plugin(plugins, kind).isEmpty()) {
                missing.add(spec.wanted(kind) + " (" + spec.installed(plugins, kind) + ")");
            }
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("waiting for " + String.join(", ", missing));
    }

    /** The kinds of plugin a run of {@code spec} is wired with. */
    static List<Kind> kindsUsedBy(JobSpec spec) {
        return spec.changelog() ? List.of(Kind.DEFINITION, Kind.BACKEND, Kind.DECORATOR, Kind.STORAGE)
                : List.of(Kind.DEFINITION, Kind.BACKEND, Kind.STORAGE);
    }

    /**
     * Starts the job on the installed plugins (all present). The ledger decides where a job with
     * snapshots comes back from; {@code restore.path} only seeds one without ({@code seed}). Its
     * working folder goes under {@code workingRoot}.
     */
    static JobRun start(JobSpec spec, PluginTracker plugins, boolean seed, JobMetrics metrics, Path workingRoot) throws IOException {
        Plugin definition = spec.plugin(plugins, Kind.DEFINITION).orElseThrow();
        Plugin backend = spec.plugin(plugins, Kind.BACKEND).orElseThrow();
        Plugin storage = spec.plugin(plugins, Kind.STORAGE).orElseThrow();
        JobConfig config = spec.config().withRestore(seed ? spec.config().restore() : null);
        JobDefinition def = (JobDefinition) definition.service();
        JobGraph graph = def.build(spec.name(), spec.parameters());
        if (!graph.name().equals(spec.name())) {
            throw new IllegalStateException("job definition '" + spec.definition() + "' built a graph named '" + graph.name()
                    + "', not '" + spec.name() + "'");
        }
        Plugin changelog = spec.changelog() ? spec.plugin(plugins, Kind.DECORATOR).orElseThrow() : null;
        StateBackend used = changelog == null ? (StateBackend) backend.service()
                : ((StateBackendDecorator) changelog.service()).wrap((StateBackend) backend.service());
        PluginRegistry pinned = new PinnedPlugins(used, (SnapshotStorageProvider) storage.service(), plugins, changelog != null);
        ChaosInjector chaos = new ChaosInjector();
        OptionalInt partition = spec.inputPartition() < 0 ? OptionalInt.empty() : OptionalInt.of(spec.inputPartition());
        JobMaster master = new JobMaster(graph, config, pinned, def.getClass().getClassLoader(), chaos, System::currentTimeMillis, metrics,
                partition, workingRoot).start();
        LOG.info(() -> "Job " + spec.name() + " started" + master.snapshotLedger().recoveryPoint().map(e -> " from " + e.directory()).orElse("")
                + " on " + backend.origin() + ", " + storage.origin() + ", " + definition.origin());
        List<Plugin> pinnedPlugins = new ArrayList<>(List.of(definition, backend, storage));
        if (changelog != null) {
            pinnedPlugins.add(changelog);
        }
        return new JobRun(master, List.copyOf(pinnedPlugins), chaos);
    }

    /** Whether the job master is still running (not ended by itself). */
    boolean active() {
        JobStatus s = master.status();
        return s == JobStatus.RUNNING || s == JobStatus.RESTARTING || s == JobStatus.CREATED;
    }

    boolean uses(Plugin plugin) {
        return plugins.stream().anyMatch(p -> p.service() == plugin.service());
    }

    /**
     * How a run stops: cancelled; with a checkpoint (the platform's handovers that keep the
     * backend: native and incremental, so the stop costs only the change since the last one); or
     * with a savepoint of {@code ownership} in {@code format}.
     */
    record Stop(String savepointName, Ownership ownership, String format) {
        static final Stop CANCEL = new Stop(null, Ownership.PLATFORM, null);
        static final Stop CHECKPOINT = new Stop(null, Ownership.PLATFORM, SnapshotFormats.NATIVE);

        static Stop savepoint(String name, Ownership ownership, String format) {
            return new Stop(name, ownership, format);
        }

        /** A savepoint the platform owns, named after the moment it is taken. */
        static Stop handoverSavepoint(String format) {
            return new Stop("handover-" + System.currentTimeMillis(), Ownership.PLATFORM, format);
        }
    }

    /**
     * Stops the run as {@code stop} says (the ledger records the snapshot as the recovery point
     * before the sinks commit). If the snapshot fails the job is cancelled and recovers from its
     * newest snapshot instead.
     *
     * @return the snapshot's path, or {@code null} when the run was cancelled
     */
    String stop(Stop stop, Duration timeout, String why) {
        if (stop.format() != null && active()) {
            try {
                return stopOrKeepRunning(stop, timeout, why);
            } catch (Exception e) {
                if (master.ending()) {
                    // its final snapshot completed as the stop came: cancelling would keep its sinks from committing it
                    LOG.info(() -> "Job " + master.jobName() + " is finishing by itself; waiting for it (" + why + ")");
                    try {
                        awaitEnded(timeout);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    CrashPoint.STOP_AFTER_JOB_ENDED.reach();
                    return null;
                }
                LOG.log(Level.WARNING, "Job " + master.jobName() + " could not stop with a snapshot (" + why + "); cancelling it", e);
            }
        }
        master.cancel();
        try {
            awaitEnded(CANCEL_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CrashPoint.STOP_AFTER_JOB_ENDED.reach();
        LOG.info(() -> "Job " + master.jobName() + " stopped (" + why + ")");
        return null;
    }

    /**
     * Stops the run with the snapshot {@code stop} names. If the snapshot fails the run goes on
     * (its sources resume) and the failure is thrown.
     *
     * @return the snapshot's path
     */
    String stopOrKeepRunning(Stop stop, Duration timeout, String why) throws Exception {
        long started = System.nanoTime(); // the sources stop at the snapshot's barrier: the output pauses from here
        CompletableFuture<String> snapshot = stop.savepointName() == null ? master.stopWithCheckpoint()
                : master.savepoint(stop.savepointName(), true, stop.ownership(), stop.format());
        String path;
        try {
            path = snapshot.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // given up: the snapshot must not stop the job later, when nobody expects it
            master.abortStop(new IllegalStateException("The stop of job " + master.jobName() + " took longer than " + timeout));
            if (!snapshot.isDone() || snapshot.isCompletedExceptionally()) {
                throw e;
            }
            path = snapshot.join(); // it completed meanwhile: the job is stopping after all
        }
        CrashPoint.STOP_AFTER_SAVEPOINT.reach();
        awaitEnded(timeout);
        CrashPoint.STOP_AFTER_JOB_ENDED.reach();
        String at = path;
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.info(() -> "Job " + master.jobName() + " stopped (" + why + ") in " + millis + " ms; snapshot " + at);
        return at;
    }

    /**
     * Waits until the job master has ended; one still running past {@code timeout} is cancelled.
     * The caller starts the next run of the job after this, and two runs of a job must never
     * overlap: they would write the same snapshot directories and sink files.
     *
     * @throws IllegalStateException if the master does not end even when cancelled
     */
    private void awaitEnded(Duration timeout) throws InterruptedException {
        if (ended(master.await(timeout))) {
            return;
        }
        LOG.warning(() -> "Job " + master.jobName() + " did not end within " + timeout + "; cancelling it");
        master.cancel();
        if (!ended(master.await(CANCEL_GRACE))) {
            throw new IllegalStateException("Job " + master.jobName() + " did not end within " + CANCEL_GRACE + " of being cancelled:"
                    + " a subtask does not react to interrupts (see its thread dump); the job is not started again until it ends");
        }
    }

    private static boolean ended(JobStatus status) {
        return status != JobStatus.CREATED && status != JobStatus.RUNNING && status != JobStatus.RESTARTING;
    }

    /**
     * Exactly the backend and storage the job started with: a later registration under the same
     * name does not leak in. Formats are whatever is present when a snapshot needs one.
     */
    private record PinnedPlugins(StateBackend backend, SnapshotStorageProvider storage, PluginTracker present, boolean changelog)
            implements PluginRegistry {
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

        @Override
        public Optional<SnapshotFormat> format(String name) {
            return present.find(Kind.FORMAT, name).map(p -> (SnapshotFormat) p.service());
        }

        @Override
        public Set<String> formatNames() {
            return Set.copyOf(present.names(Kind.FORMAT));
        }
    }
}
