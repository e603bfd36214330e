package dev.cairn.core.internal.console;

import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.monitor.CheckpointView;
import dev.cairn.api.monitor.JobView;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.platform.DistributedJob;
import dev.cairn.core.internal.platform.InvalidConfigurationException;
import dev.cairn.core.internal.platform.JobInstance;
import dev.cairn.core.internal.platform.JobSpec;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.spi.placement.Membership;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code cairn:jobs} and friends: the life of job instances from the console. */
@Component(service = JobCommands.class, property = {"osgi.command.scope=cairn",
        "osgi.command.function=jobs", "osgi.command.function=job", "osgi.command.function=create",
        "osgi.command.function=start", "osgi.command.function=stop", "osgi.command.function=cancel",
        "osgi.command.function=resume", "osgi.command.function=savepoint", "osgi.command.function=fail",
        "osgi.command.function=remove", "osgi.command.function=ranges"})
public final class JobCommands {

    private final JobSupervisor supervisor;
    private final ConfigurationAccess configs;

    @Activate
    public JobCommands(@Reference JobSupervisor supervisor, @Reference ConfigurationAccess configs) {
        this.supervisor = supervisor;
        this.configs = configs;
    }

    /** Every job with its state, plugins, parallelism, counters and last checkpoint. */
    public String jobs() {
        Tables t = new Tables("NAME", "STATE", "DEFINITION", "BACKEND", "STORAGE", "PARALLELISM", "RESTARTS", "RECORDS", "RECORDS/S",
                "LAST CHECKPOINT", "NOTE");
        for (JobView v : MonitorService.views(supervisor)) {
            CheckpointView cp = v.checkpoints().isEmpty() ? null : v.checkpoints().get(v.checkpoints().size() - 1);
            boolean configured = v.definition() != null;
            t.row(v.name(), v.state(), v.definition(), v.backend(), v.storage(), configured ? v.parallelism() : null,
                    v.restarts(), v.records(), Math.round(v.recordsPerSecond()),
                    cp == null ? null : "#" + cp.id() + " " + cp.durationMillis() + " ms " + Tables.bytes(cp.writtenBytes())
                            + " (state " + Tables.bytes(cp.stateBytes()) + ")", v.note());
        }
        return t.toString();
    }

    /**
     * Which process runs which range of a job shared by partition ({@code job.placement}), as its
     * group reports it now, with the ranges running here: state, records and last checkpoint.
     */
    public String ranges(String name) throws Exception {
        DistributedJob d = supervisor.sharedJob(name).orElseThrow(() -> new IllegalArgumentException("No job named '" + name
                + "' is shared by partition (job.placement); shared jobs: " + supervisor.sharedJobs().stream().map(DistributedJob::name).toList()));
        Membership m = d.membership().orElseThrow(() -> new IllegalStateException("Job " + name + " is not in its group here: " + d.waitingFor()));
        Map<Integer, String> owner = new java.util.TreeMap<>();
        m.owners().forEach((member, partitions) -> partitions.forEach(p -> owner.put(p, member)));
        Tables t = new Tables("RANGE", "OWNER", "HERE", "RECORDS", "LAG", "LAST CHECKPOINT");
        int partitions = m.partitionCount();
        for (int p = 0; p < partitions; p++) {
            Optional<JobInstance> here = supervisor.job(d.spec().forPartition(p).name());
            JobMetrics.CheckpointStats cp = here.map(j -> j.metrics().lastCheckpoint()).orElse(null);
            t.row(p, owner.getOrDefault(p, "-"),
                    here.map(j -> j.state().name()).orElse("-"), here.map(j -> j.metrics().recordsEmitted()).orElse(null),
                    here.map(JobInstance::master).map(JobMaster::pendingRecords).filter(n -> n >= 0).orElse(null),
                    cp == null ? null : "#" + cp.id() + " " + cp.durationMillis() + " ms " + Tables.bytes(cp.writtenBytes()));
        }
        return "this process is " + m.memberName() + "\n" + t;
    }

    /** {@code jobs --json}: every job as {@code jobs} shows it, with its recent checkpoints, as a JSON array. */
    public String jobs(String... options) throws IOException {
        if (options.length != 1 || !options[0].equals("--json")) {
            throw new IllegalArgumentException("jobs takes only --json, not " + String.join(" ", options) + " (jobs [--json])");
        }
        return Tables.json(MonitorService.views(supervisor));
    }

    /** One job's details as a map (scripts read it; the console prints it). */
    public Map<String, Object> job(String name) {
        JobInstance j = find(name);
        Map<String, Object> m = new LinkedHashMap<>();
        JobInstance.View view = j.view();
        JobMaster master = view.master();
        m.put("name", j.name());
        m.put("state", view.state().name());
        m.put("pid", j.pid());
        if (j.spec() != null) {
            m.put("definition", j.spec().definition());
            // while a reconfiguration moves over, the job still runs on its old backend, storage and parallelism
            JobConfig config = master != null ? master.jobConfig() : j.spec().config();
            m.put("backend", config.backend());
            m.put("changelog", master != null ? master.changelog() : j.spec().changelog());
            m.put("storage", config.storage());
            m.put("parallelism", config.parallelism());
            m.put("max-parallelism", config.maxParallelism());
            m.put("desired-state", j.desiredState().name());
        }
        put(m, "reason", j.reason());
        put(m, "refused-configuration", j.refusal());
        put(m, "resumes-from", j.resumePath());
        JobMetrics metrics = j.metrics();
        m.put("restarts", metrics.restarts());
        m.put("records", metrics.recordsEmitted());
        m.put("records-per-second", Math.round(metrics.recordsPerSecond()));
        if (master != null && master.pendingRecords() >= 0) {
            m.put("pending-records", master.pendingRecords());
        }
        m.put("checkpoints.completed", metrics.completedCheckpoints());
        m.put("checkpoints.failed", metrics.failedCheckpoints());
        JobMetrics.CheckpointStats cp = metrics.lastCheckpoint();
        if (cp != null) {
            m.put("checkpoint.id", cp.id());
            m.put("checkpoint.duration-ms", cp.durationMillis());
            m.put("checkpoint.alignment-ms", Math.round(cp.alignmentNanos() / 1e4) / 100.0);
            m.put("checkpoint.written-bytes", cp.writtenBytes());
            m.put("checkpoint.state-bytes", cp.stateBytes());
            m.put("checkpoint.unaligned-subtasks", cp.unalignedSubtasks());
            m.put("checkpoint.in-flight-bytes", cp.inFlightBytes());
        }
        if (master != null) {
            m.put("plugins", j.pluginsInUse().stream().map(p -> p.kind().name().toLowerCase() + " " + p.name() + " (" + p.origin() + ")").toList());
        }
        return m;
    }

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** Creates a job: {@code create orders job.definition=offer-enrichment job.parallelism=2 param.x=y}. */
    public String create(String name, String... properties) throws IOException, InvalidConfigurationException, InterruptedException {
        configs.createJob(name, keyValues(properties));
        // ConfigAdmin delivers the configuration asynchronously: return once the job exists, so the next command finds it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (supervisor.job(name).isEmpty() && supervisor.sharedJob(name).isEmpty()) {
            if (System.nanoTime() > deadline) {
                return "created the configuration of job " + name + "; the platform has not picked it up yet";
            }
            Thread.sleep(20);
        }
        return "created job " + name;
    }

    /** Starts a suspended, stopped, finished or failed job (from where it stopped). */
    public String start(String name) throws IOException, InvalidConfigurationException {
        Optional<DistributedJob> shared = supervisor.sharedJob(name);
        if (shared.isPresent() && shared.get().membership().isPresent()) {
            int started = shared.get().restartEndedRanges();
            return "job " + name + " is in its group on this process; ranges started again here: " + started;
        }
        if (shared.isPresent()) {
            setState(name, "running");
            return "job " + name + " joins its group on this process";
        }
        findOwnRun(name, "start").startAgain();
        setState(name, "running"); // always written: its delivery ends what the command held
        return "starting job " + name;
    }

    /** Stops with a savepoint (as {@code flink stop}); the job resumes from it on start. */
    public String stop(String name) throws Exception {
        return stop(name, new String[0]);
    }

    /** {@code stop <job> [name] [--format native|full|canonical]}. */
    public String stop(String name, String... args) throws Exception {
        SavepointOptions options = SavepointOptions.parse("stop", args, "stop-");
        if (supervisor.sharedJob(name).isPresent()) {
            setState(name, "suspended");
            return "job " + name + " leaves its group on this process: its ranges here stop with a checkpoint and move to the other members";
        }
        JobInstance j = findOwnRun(name, "stop");
        String path;
        try {
            path = j.stopWithSavepoint(options.name(), options.format());
        } finally {
            if (j.desiredState() == JobSpec.DesiredState.SUSPENDED) {
                setState(name, "suspended"); // the job stopped, even when its savepoint failed
            }
        }
        return "stopped job " + name + " with savepoint " + path;
    }

    /** Stops without a savepoint (as {@code flink cancel}); the job resumes from its newest checkpoint. */
    public String cancel(String name) throws IOException, InvalidConfigurationException {
        findOwnRun(name, "cancel").cancel();
        setState(name, "suspended");
        return "cancelled job " + name;
    }

    /** Starts a stopped job from {@code snapshot} (relative to the storage root), not claiming it. */
    public String resume(String name, String snapshot) throws IOException, InvalidConfigurationException {
        return resume(name, snapshot, "no-claim");
    }

    /**
     * As {@link #resume(String, String)}; {@code claim} hands the snapshot over to the job, and a
     * trailing {@code force} resumes from a snapshot older than the job's committed output.
     */
    public String resume(String name, String snapshot, String... options) throws IOException, InvalidConfigurationException {
        ClaimMode mode = ClaimMode.NO_CLAIM;
        boolean force = false;
        for (String option : options) {
            switch (option) {
                case "claim" -> mode = ClaimMode.CLAIM;
                case "no-claim" -> mode = ClaimMode.NO_CLAIM;
                case "force" -> force = true;
                default -> throw new IllegalArgumentException("resume option " + option + " is not allowed: use claim, no-claim or force");
            }
        }
        String dir = findOwnRun(name, "resume").resumeFrom(snapshot, mode, force);
        start(name);
        return "resuming job " + name + " from " + dir;
    }

    /** Takes a savepoint of a running job; prints its path. */
    public String savepoint(String name) throws Exception {
        return savepoint(name, new String[0]);
    }

    /** {@code savepoint <job> [name] [--format native|full|canonical]}. */
    public String savepoint(String name, String... args) throws Exception {
        SavepointOptions options = SavepointOptions.parse("savepoint", args, "savepoint-");
        return "savepoint " + find(name).savepoint(options.name(), options.format()).get(10, TimeUnit.MINUTES);
    }

    /** Fails one subtask of a running job at its next record, to rehearse recovery. */
    public String fail(String name) {
        find(name).injectFailure();
        return "a failure will hit job " + name + " at its next record";
    }

    /** Deletes the job's configuration; the job stops with a savepoint, whose path it prints. */
    public String remove(String name) throws IOException, InterruptedException {
        if (supervisor.sharedJob(name).isPresent()) {
            ConfigurationAccess.Target target = configs.target(name);
            if (configs.file(target).isPresent()) {
                throw new IllegalArgumentException("job " + name + " is defined in " + configs.file(target).get() + ": delete that file to remove the job");
            }
            configs.delete(target);
            return "removed job " + name + " from this process: it leaves its group, its ranges here stop with a checkpoint and move to"
                    + " the other members; its state stays in the ranges' ledgers";
        }
        JobInstance j = findOwnRun(name, "remove");
        ConfigurationAccess.Target target = configs.target(j.name());
        var file = configs.file(target);
        if (file.isPresent()) {
            throw new IllegalArgumentException("job " + name + " is defined in " + file.get() + ": delete that file to remove the job");
        }
        CompletableFuture<String> removal = supervisor.removal(j.name());
        configs.delete(target);
        try {
            String savepoint = removal.get(REMOVAL_PATIENCE.toMinutes(), TimeUnit.MINUTES);
            return savepoint == null ? "removed job " + name + " (it was not running: no savepoint)"
                    : "removed job " + name + "; its state is in savepoint " + savepoint + " (restore.path=" + savepoint
                    + " starts a job from it)";
        } catch (TimeoutException e) {
            return "removed job " + name + "; it is still stopping, and the log will name the savepoint it stops with";
        } catch (ExecutionException e) {
            throw new IllegalStateException("removed job " + name + ", but its stop failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static final Duration REMOVAL_PATIENCE = Duration.ofMinutes(5);

    private void setState(String name, String state) throws IOException, InvalidConfigurationException {
        configs.change(configs.target(name), Map.of("job.state", state), List.of());
    }

    /** A job whose runs this process decides: not a range of a shared job, which its group places. */
    private JobInstance findOwnRun(String name, String command) {
        JobInstance j = find(name);
        if (j.spec() != null && j.spec().inputPartition() >= 0) {
            String shared = j.spec().sharedJobName();
            throw new IllegalArgumentException("job " + name + " is a range of job " + shared + ", shared by partition: its group decides"
                    + " where it runs; " + command + " job " + shared + " instead (on this process it then leaves or joins the group)");
        }
        return j;
    }

    private JobInstance find(String name) {
        return supervisor.job(name).orElseThrow(() -> new IllegalArgumentException(
                "No job named '" + name + "'; jobs: " + supervisor.jobs().stream().map(JobInstance::name).toList()));
    }

    static Map<String, Object> keyValues(String... pairs) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + p + "' is not key=value");
            }
            result.put(p.substring(0, eq).trim(), p.substring(eq + 1).trim());
        }
        return result;
    }
}
