package dev.cairn.core.internal.platform;

import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.core.internal.platform.PluginTracker.Plugin;
import dev.cairn.spi.placement.JobPlacement;
import dev.cairn.spi.placement.Membership;
import dev.cairn.spi.placement.PartitionListener;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A job shared between platform processes by partition ({@code job.placement}): this process
 * joins the job's group through the placement plugin and runs every partition it is given as a
 * range, a job instance of its own ({@code <job>.range-<partition>}) whose ledger lives on the
 * job's shared snapshot storage. A range handed over stops with a checkpoint that its next owner
 * restores; a range lost without a handover stops without one.
 */
public final class DistributedJob implements PartitionListener {

    private static final Logger LOG = Logger.getLogger(DistributedJob.class.getName());

    /** Where the ranges this process runs are listed with the other jobs. */
    interface Ranges {
        void add(JobInstance range);

        void remove(JobInstance range);
    }

    private final String pid;
    private final JobInstance.Platform platform;
    private final Ranges ranges;
    private volatile JobSpec spec;
    /** The ranges running here by partition; changed only on the membership's thread, read by the console. */
    private final Map<Integer, JobInstance> running = new ConcurrentHashMap<>();
    /** Written under this object's lock, read without it: the console must not wait for a handover. */
    private volatile Membership membership;
    private Plugin joinedThrough;
    private volatile String waitingFor;
    private volatile String refusal;
    /** Removed from this process: queued work must not join the group again. */
    private boolean removed;
    private boolean retryScheduled;
    private static final Duration RETRY = Duration.ofSeconds(5);

    DistributedJob(String pid, JobSpec spec, JobInstance.Platform platform, Ranges ranges) {
        this.pid = pid;
        this.spec = spec;
        this.platform = platform;
        this.ranges = ranges;
    }

    /** The pid of the job's configuration. */
    public String pid() {
        return pid;
    }

    public String name() {
        return spec.name();
    }

    public JobSpec spec() {
        return spec;
    }

    /** Why this process is not in the job's group, or what troubles its membership; {@code null} when all is well. */
    public String waitingFor() {
        Membership m = membership;
        String trouble = m == null ? null : m.trouble();
        return trouble != null ? "in its group, but " + trouble : waitingFor;
    }

    /** The partitions whose ranges run in this process. */
    public Set<Integer> partitionsHere() {
        return new TreeSet<>(running.keySet());
    }

    /** This process's membership, or empty while it is not in the group. */
    public Optional<Membership> membership() {
        return Optional.ofNullable(membership);
    }

    /**
     * Joins the job's group when it should run here and every plugin its ranges need is installed:
     * a process that could not run the partitions it is given must not take them.
     */
    synchronized void reconcile() {
        if (membership != null || removed) {
            return;
        }
        if (spec.desiredState() == JobSpec.DesiredState.SUSPENDED) {
            waitingFor = "suspended";
            return;
        }
        Optional<Plugin> plugin = spec.plugin(platform.plugins(), Kind.PLACEMENT);
        if (plugin.isEmpty()) {
            waitingFor = "waiting for " + spec.wanted(Kind.PLACEMENT) + " (" + spec.installed(platform.plugins(), Kind.PLACEMENT) + ")";
            return;
        }
        Optional<String> missing = JobRun.missingPlugins(spec, platform.plugins());
        if (missing.isPresent()) {
            waitingFor = missing.get();
            return;
        }
        try {
            membership = ((JobPlacement) plugin.get().service()).join(spec.name(), spec.placement().settings(), this);
            joinedThrough = plugin.get();
            waitingFor = null;
            LOG.info(() -> "Job " + spec.name() + " joined its group as " + membership.memberName() + " through " + plugin.get().origin());
        } catch (Exception | LinkageError e) {
            waitingFor = "could not join its group (trying again every " + RETRY.toSeconds() + " s): "
                    + (e.getMessage() != null ? e.getMessage() : e.toString());
            LOG.log(Level.WARNING, "Job " + spec.name() + " could not join its group; trying again in " + RETRY.toSeconds() + " s", e);
            if (!retryScheduled) {
                retryScheduled = true;
                CompletableFuture.delayedExecutor(RETRY.toMillis(), TimeUnit.MILLISECONDS).execute(this::retryJoin);
            }
        }
    }

    private void retryJoin() {
        synchronized (this) {
            retryScheduled = false;
        }
        try {
            platform.later(this::reconcile);
        } catch (RuntimeException e) {
            LOG.fine(() -> "Job " + spec.name() + ": no retry to join, the kernel is stopping: " + e);
        }
    }

    /**
     * Starts the ranges here that ended by themselves (failed after their restarts, or could not
     * start); the number started. Not those another process took over: the group moved them, and
     * this process gives them up as soon as it learns so.
     */
    public int restartEndedRanges() {
        int started = 0;
        for (JobInstance range : running.values()) {
            try {
                range.startAgain();
                platform.later(range::reconcile);
                started++;
            } catch (IllegalStateException running) {
                // still running, handed over meanwhile, or taken over by another process
            }
        }
        return started;
    }

    /** A new configuration: the process leaves the group (its ranges stop with a checkpoint) and joins again with it. */
    synchronized void configure(JobSpec next) {
        if (next.equals(spec) || removed) {
            return;
        }
        leave("configuration changed");
        spec = next;
        refusal = null;
        reconcile();
    }

    /** The job's configuration is gone from this process: it leaves the group for good. */
    synchronized void remove(String why) {
        removed = true;
        leave(why);
    }

    /** A configuration refused for this job; it keeps the one it has. */
    void refuse(String message) {
        refusal = message;
        LOG.warning("Configuration of job " + spec.name() + " refused, the job keeps its current one: " + message);
    }

    /** The last configuration refused for this job, or {@code null}. */
    public String refusal() {
        return refusal;
    }

    /** Leaves the group: every range here is handed over, stopping with a checkpoint (the membership's revocations). */
    synchronized void leave(String why) {
        if (membership == null) {
            return;
        }
        LOG.info(() -> "Job " + spec.name() + " leaves its group (" + why + ")");
        try {
            membership.close();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Job " + spec.name() + " did not leave its group cleanly", e);
        }
        membership = null;
        joinedThrough = null;
        // ranges a failed membership did not hand over: the group may have moved them already, so no snapshot races their new owner
        lost(Set.copyOf(running.keySet()));
    }

    void pluginAdded() {
        reconcile();
    }

    /**
     * The placement plugin going away takes the membership with it; the ranges stop with a
     * checkpoint first. Other plugins going away (an update of the job definition's bundle) make
     * the ranges here wait for them, as any job does, while this process keeps its partitions.
     */
    synchronized void pluginRemoved(Plugin plugin) {
        if (joinedThrough != null && joinedThrough.service() == plugin.service()) {
            leave(plugin.origin() + " is going away");
            platform.later(this::reconcile);
        }
    }

    // ---- PartitionListener: called on the membership's thread, never under this object's lock

    @Override
    public void assigned(Set<Integer> partitions) {
        for (int p : new TreeSet<>(partitions)) {
            if (running.containsKey(p)) {
                continue;
            }
            JobInstance range = new JobInstance(pid + "#" + p, spec.forPartition(p), platform);
            running.put(p, range);
            ranges.add(range);
            range.reconcile();
            LOG.info(() -> "Job " + spec.name() + ": range " + p + " runs here (" + range.state() + ")");
        }
    }

    @Override
    public void revoked(Set<Integer> partitions) {
        retire(partitions, true);
    }

    @Override
    public void lost(Set<Integer> partitions) {
        retire(partitions, false);
    }

    /**
     * Stops the ranges of {@code partitions} for good, each whatever happens to the others: the
     * group moves all of them once this returns, and a range still running then would run twice.
     */
    private void retire(Set<Integer> partitions, boolean handOver) {
        for (int p : new TreeSet<>(partitions)) {
            JobInstance range = running.remove(p);
            if (range == null) {
                continue;
            }
            try {
                range.retire(handOver, "range " + p + " lost to another process");
                LOG.info(() -> "Job " + spec.name() + ": range " + p + (handOver ? " handed over" : " lost without a handover; stopped without a snapshot"));
            } catch (RuntimeException | Error e) {
                // the group moves the partition once this returns: the run must have ended, however long that takes
                LOG.log(Level.SEVERE, "Job " + spec.name() + ": range " + p + " did not stop cleanly while it moves to another process;"
                        + " the handover waits until its run has ended", e);
                range.awaitRunEnded();
            } finally {
                ranges.remove(range);
            }
        }
    }
}
