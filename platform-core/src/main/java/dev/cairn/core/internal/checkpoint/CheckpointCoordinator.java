package dev.cairn.core.internal.checkpoint;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata.OperatorSnapshot;
import dev.cairn.core.internal.catalog.SnapshotMetadata.SubtaskSnapshot;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.ledger.LedgerTakenOverException;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Triggers checkpoints at the sources (interval, minimum pause, max concurrent), collects the
 * subtasks' acknowledgements, commits the metadata, tells the tasks, and aborts checkpoints that
 * time out or fail (failing the attempt past the tolerable count). One per execution attempt;
 * ids and retained checkpoints belong to the job and outlive it.
 */
public final class CheckpointCoordinator {

    private static final Logger LOG = Logger.getLogger(CheckpointCoordinator.class.getName());

    private final CheckpointedAttempt attempt;
    private final JobSnapshots job;
    private final CheckpointConfig config;
    private final SnapshotCatalog catalog;
    private final ScheduledExecutorService timer;
    private final TreeMap<Long, PendingCheckpoint> pending = new TreeMap<>();
    /** Snapshots retention dropped whose files wait for the checkpoints then in flight to complete or abort. */
    private final List<DeferredDeletion> deferredDeletions = new ArrayList<>();

    /** A dropped snapshot, and the newest checkpoint in flight when it was dropped (-1: none). */
    private record DeferredDeletion(SnapshotLedger.Dropped dropped, long waitsFor) {
    }
    private final Set<String> finishedSources = new HashSet<>();
    private final int sourceSubtasks;
    private long lastTriggerAt;
    private long lastCompletionAt;
    private int consecutiveFailures;
    private boolean finalCheckpointPending;
    /** The snapshot the attempt ends with has completed: nothing more is triggered. */
    private boolean ending;
    private boolean shutDown;

    public CheckpointCoordinator(CheckpointedAttempt attempt, JobSnapshots job) {
        this.attempt = attempt;
        this.job = job;
        this.config = job.config();
        this.catalog = job.catalog();
        this.sourceSubtasks = attempt.sourceCount();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cairn-" + job.jobName() + "-checkpoint-coordinator");
            t.setDaemon(true);
            return t;
        });
        this.lastTriggerAt = job.clock().getAsLong();
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 2, 2, TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        if (shutDown || ending || attempt.isTerminating()) {
            return;
        }
        try {
            long now = job.clock().getAsLong();
            for (PendingCheckpoint p : new ArrayList<>(pending.values())) {
                if (now - p.triggeredAt > config.timeout().toMillis()) {
                    failCheckpoint(p, new IllegalStateException("Checkpoint " + p.id() + " expired after " + config.timeout()));
                }
            }
            if (shutDown) {
                return;
            }
            if (finishedSources.size() == sourceSubtasks && !finalCheckpointPending) {
                finalCheckpointPending = true;
                trigger(false, false, true, null, Ownership.PLATFORM, checkpointFormat());
                return;
            }
            long running = pending.values().stream().filter(p -> !p.barrier.savepoint()).count();
            boolean stopping = pending.values().stream().anyMatch(p -> p.barrier.stopAfter());
            if (!finalCheckpointPending && !stopping && running < config.maxConcurrent()
                    && now - lastTriggerAt >= config.interval().toMillis()
                    && now - lastCompletionAt >= config.minPause().toMillis()) {
                trigger(false, false, false, null, Ownership.PLATFORM, checkpointFormat());
            }
        } catch (Throwable t) {
            attempt.fail(t);
        }
    }

    public synchronized CompletableFuture<String> triggerCheckpoint() {
        return trigger(false, false, false, null, Ownership.PLATFORM, checkpointFormat()).completion;
    }

    /** A checkpoint after which the job stops: how the platform's handovers stop a job whose backend stays. */
    public synchronized CompletableFuture<String> triggerStopWithCheckpoint() {
        return trigger(false, true, false, null, Ownership.PLATFORM, checkpointFormat()).completion;
    }

    /**
     * @param format {@link SnapshotFormats#NATIVE} or the name of a format, which must be
     *               installed (the savepoint fails at once, naming the installed ones, if not)
     */
    public synchronized CompletableFuture<String> triggerSavepoint(String name, boolean stopAfter, Ownership ownership, String format) {
        String resolved = format;
        if (SnapshotFormats.NATIVE.equals(format)) {
            resolved = attempt.nativeSnapshots() ? SnapshotFormats.NATIVE : SnapshotFormat.FULL;
        } else if (attempt.formats().find(format).isEmpty()) {
            try {
                attempt.formats().require(format);
            } catch (SnapshotFormats.MissingFormatException e) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("Savepoint '" + name + "' not taken: " + e.getMessage()
                        + ", or use format " + SnapshotFormats.NATIVE));
            }
        }
        return trigger(true, stopAfter, false, name, ownership, resolved).completion;
    }

    private String checkpointFormat() {
        return attempt.incremental() ? SnapshotFormats.NATIVE : SnapshotFormat.FULL;
    }

    private PendingCheckpoint trigger(boolean savepoint, boolean stopAfter, boolean endOfData, String name, Ownership ownership, String format) {
        long id = job.nextId();
        long now = job.clock().getAsLong();
        // savepoints, the final checkpoint and a handover's stop are aligned, as in Flink: a snapshot the job ends with or that
        // may move to another job holds no records in flight. A checkpoint triggered while such a one is pending is aligned
        // too: announced, it would overtake the older barrier, and subtasks would snapshot the two in the wrong order
        boolean unaligned = config.unaligned() && !savepoint && !stopAfter && !endOfData
                && pending.values().stream().allMatch(o -> o.barrier.unaligned());
        CheckpointBarrier barrier = new CheckpointBarrier(id, savepoint, stopAfter, endOfData, format, unaligned, now,
                config.alignedTimeout().toMillis());
        String dir = savepoint ? catalog.savepointDirectory(name) : catalog.checkpointDirectory(id);
        PendingCheckpoint p = new PendingCheckpoint(barrier, dir, name, ownership, now, attempt.taskCount());
        if (shutDown || ending) {
            p.completion.completeExceptionally(new IllegalStateException("Job " + job.jobName() + (ending ? " is ending" : " is not running")));
            return p;
        }
        pending.put(id, p);
        lastTriggerAt = p.triggeredAt;
        attempt.triggerSources(barrier);
        return p;
    }

    /**
     * Gives up the pending snapshots after which the job would stop (a switch whose snapshot took
     * too long): they are aborted and the sources go on.
     */
    public synchronized void abortStops(Throwable cause) {
        for (PendingCheckpoint p : new ArrayList<>(pending.values())) {
            if (p.barrier.stopAfter()) {
                failCheckpoint(p, cause);
            }
        }
    }

    /** Where a subtask writes its part of checkpoint {@code barrier}. */
    public synchronized StorageSnapshotStreams streamsFor(CheckpointBarrier barrier, String uid, int subtask) {
        PendingCheckpoint p = pending.get(barrier.checkpointId());
        String dir = p != null ? p.directory
                : barrier.savepoint() ? catalog.abortedSavepointDirectory(barrier.checkpointId())
                : catalog.checkpointDirectory(barrier.checkpointId());
        String owned = catalog.subtaskDirectory(dir, uid, subtask);
        StorageSnapshotStreams streams = barrier.savepoint()
                ? new StorageSnapshotStreams(catalog.storage(), dir, owned, owned, config.inlineThreshold())
                : new StorageSnapshotStreams(catalog.storage(), catalog.jobDirectory(), owned,
                catalog.sharedDirectory(uid, subtask), config.inlineThreshold());
        if (p != null) {
            p.streams.add(streams);
        }
        return streams;
    }

    /** @param unaligned the subtask snapshotted before its input was aligned */
    public synchronized void acknowledge(long id, String uid, int subtask, SubtaskSnapshot snapshot, StorageSnapshotStreams streams,
                                         long alignmentNanos, boolean unaligned) {
        PendingCheckpoint p = pending.get(id);
        if (p == null) {
            discard(streams); // aborted meanwhile
            return;
        }
        if (attempt.isTerminating()) {
            // the attempt failed or was cancelled: a checkpoint completing now would become the
            // failover point of a restart the failure has already decided on (as in Flink, a
            // failover aborts what is pending)
            abort(p, new IllegalStateException("Checkpoint " + id + " was aborted: job " + job.jobName() + " is failing over or cancelling"));
            return;
        }
        if (p.acknowledge(uid, subtask, snapshot, alignmentNanos, unaligned)) {
            complete(p);
        } else if (p.acks.size() == 1 && p.acks.values().iterator().next().size() == 1) {
            CrashPoint.CHECKPOINT_AFTER_FIRST_ACK.reach();
        }
    }

    public synchronized void decline(long id, String uid, int subtask, Throwable cause, StorageSnapshotStreams streams) {
        PendingCheckpoint p = pending.get(id);
        discard(streams);
        if (p != null) {
            failCheckpoint(p, new IllegalStateException("Subtask " + subtask + " of '" + uid + "' could not snapshot checkpoint " + id + ": " + cause, cause));
        }
    }

    public synchronized void sourceFinished(String uid, int subtask) {
        finishedSources.add(uid + "/" + subtask);
    }

    private static Map<String, byte[]> inlinedFiles(PendingCheckpoint p) {
        Map<String, byte[]> inlined = new TreeMap<>();
        p.streams.forEach(st -> inlined.putAll(st.inlinedFiles()));
        return inlined;
    }

    private void complete(PendingCheckpoint p) {
        pending.remove(p.id());
        List<OperatorSnapshot> operators = new ArrayList<>();
        for (Map.Entry<String, TreeMap<Integer, SubtaskSnapshot>> e : p.acks.entrySet()) {
            operators.add(new OperatorSnapshot(e.getKey(), attempt.parallelism(), new ArrayList<>(e.getValue().values()),
                    attempt.keySerializers().get(e.getKey())));
        }
        SnapshotKind kind = p.barrier.savepoint() ? SnapshotKind.SAVEPOINT : SnapshotKind.CHECKPOINT;
        boolean inFlight = operators.stream().flatMap(o -> o.subtasks().stream()).anyMatch(st -> st.inFlight() != null);
        SnapshotMetadata md = new SnapshotMetadata(inFlight ? SnapshotMetadata.IN_FLIGHT_FORMAT_VERSION : SnapshotMetadata.CURRENT_FORMAT_VERSION,
                p.id(), kind, p.name, p.barrier.describedFormat(),
                job.backend(), job.jobName(), System.currentTimeMillis(), attempt.maxParallelism(),
                job.describedConfig(), operators, inlinedFiles(p));
        boolean savepoint = kind == SnapshotKind.SAVEPOINT;
        SnapshotMetadata previous = job.lastCheckpointMetadata();
        CompletedSnapshot completed;
        List<SnapshotLedger.Dropped> dropped;
        try {
            (savepoint ? CrashPoint.SAVEPOINT_BEFORE_METADATA_COMMIT : CrashPoint.CHECKPOINT_BEFORE_METADATA_COMMIT).reach();
            completed = catalog.commit(p.directory, md);
            (savepoint ? CrashPoint.SAVEPOINT_AFTER_METADATA_COMMIT : CrashPoint.CHECKPOINT_AFTER_METADATA_COMMIT).reach();
        } catch (Exception e) {
            failCheckpoint(p, new IllegalStateException("Could not commit snapshot " + p.directory + ": " + e, e));
            return;
        }
        try {
            // the ledger first: once a sink commits for this snapshot, recovery must come back from it
            dropped = job.completed(completed, p.ownership);
        } catch (LedgerTakenOverException e) {
            // another process runs the job now: this run records and commits nothing more, and deletes nothing it wrote
            abort(p, false, e);
            attempt.fail(e);
            return;
        } catch (Exception e) {
            // the write may have been stored though its answer was lost: a recovery after a crash now would read a
            // ledger naming this snapshot, so its files stay until a sweep finds that no stored ledger lists them
            job.oweSweep();
            IllegalStateException cause = new IllegalStateException("Could not record snapshot " + p.directory + " in the ledger: " + e, e);
            abort(p, false, cause);
            failed(p, cause);
            return;
        }
        long millis = job.clock().getAsLong() - p.triggeredAt;
        LOG.info(() -> (savepoint ? "Savepoint " + p.directory : "Checkpoint " + p.id()) + " of job " + job.jobName() + " ("
                + p.barrier.describedFormat() + ", " + md.totalSize() + " bytes" + (p.unalignedSubtasks() > 0 ? ", unaligned in "
                + p.unalignedSubtasks() + " subtasks, " + md.inFlightSize() + " bytes of records in flight" : "") + ") completed in " + millis + " ms");
        if (!savepoint) {
            job.metrics().checkpointCompleted(new JobMetrics.CheckpointStats(p.id(), millis, p.alignmentNanos(),
                    md.totalSize(), md.bytesNotIn(previous), System.currentTimeMillis(), p.unalignedSubtasks(), md.inFlightSize()));
            // older checkpoints still pending are subsumed: the sinks are about to commit past them
            for (PendingCheckpoint older : new ArrayList<>(pending.headMap(p.id()).values())) {
                if (!older.barrier.savepoint()) {
                    abort(older, new IllegalStateException("Checkpoint " + older.id() + " was subsumed by checkpoint " + p.id()));
                }
            }
        }
        boolean last = p.barrier.endOfData() || p.barrier.stopAfter();
        if (last) {
            endWith(p); // from here on the attempt ends as planned, whatever fails next
        }
        if (job.sweepDue()) {
            if (checkpointsInFlight()) {
                job.oweSweep(); // a checkpoint in flight may reference files no completed snapshot lists
            } else {
                deleteLeftovers();
            }
        }
        consecutiveFailures = 0;
        lastCompletionAt = job.clock().getAsLong();
        try {
            attempt.injector().check(FailureInjector.Point.AFTER_LEDGER_UPDATE, "", -1, p.id());
        } catch (Throwable t) {
            attempt.fail(t);
            p.completion.complete(p.directory);
            return;
        }
        // every completed snapshot, savepoints included, commits side effects: it is the recovery point now
        attempt.notifyCheckpointComplete(p.id());
        deleteDropped(dropped);
        p.completion.complete(p.directory);
        if (last) {
            attempt.requestEnd(); // after the completion notices, which the sinks must see before the end of their input
        }
    }

    /** Whether the snapshot the attempt ends with has completed: it is finishing or stopping by itself. */
    public synchronized boolean ending() {
        return ending;
    }

    /**
     * The attempt ends with {@code last}: nothing more is triggered, and snapshots still in flight
     * are aborted, since their subtasks close their state as they end, and a checkpoint declined
     * for that must not fail an attempt that is ending as planned.
     */
    private void endWith(PendingCheckpoint last) {
        ending = true;
        for (PendingCheckpoint other : new ArrayList<>(pending.values())) {
            abort(other, new IllegalStateException("Snapshot " + other.id() + " was aborted: job " + job.jobName()
                    + " ends with snapshot " + last.id()));
        }
        attempt.endsWith(last.barrier.stopAfter());
    }

    /**
     * Runs the crash sweep again after a deletion failed (storage down): files no ledger entry
     * references go, except those of snapshots still being written.
     */
    private void deleteLeftovers() {
        Set<String> writing = new HashSet<>();
        List<String> writingDirectories = new ArrayList<>();
        for (PendingCheckpoint other : pending.values()) {
            other.streams.forEach(st -> writing.addAll(st.createdFiles()));
            writingDirectories.add(other.directory + "/");
        }
        job.sweep(path -> writing.contains(path) || writingDirectories.stream().anyMatch(path::startsWith), false);
    }

    /** Removes a pending checkpoint and everything it wrote. */
    private void abort(PendingCheckpoint p, Throwable cause) {
        abort(p, true, cause);
    }

    private void abort(PendingCheckpoint p, boolean discardFiles, Throwable cause) {
        pending.remove(p.id());
        if (discardFiles) {
            discardAll(p);
        }
        attempt.notifyCheckpointAborted(p.id());
        p.completion.completeExceptionally(cause);
        deleteDropped(List.of());
    }

    /**
     * Deletes what retention dropped once the checkpoints in flight when it was dropped have
     * completed or aborted: one of them may build on its files (its backend's base was that
     * snapshot), and says so only when it completes.
     */
    private void deleteDropped(List<SnapshotLedger.Dropped> dropped) {
        long newestInFlight = pending.values().stream().filter(p -> !p.barrier.savepoint()).mapToLong(PendingCheckpoint::id).max().orElse(-1);
        dropped.forEach(d -> deferredDeletions.add(new DeferredDeletion(d, newestInFlight)));
        long oldestInFlight = pending.values().stream().filter(p -> !p.barrier.savepoint()).mapToLong(PendingCheckpoint::id).min()
                .orElse(Long.MAX_VALUE);
        List<SnapshotLedger.Dropped> now = new ArrayList<>();
        deferredDeletions.removeIf(d -> {
            boolean due = d.waitsFor() < oldestInFlight; // the checkpoints that might build on it are all done
            if (due) {
                now.add(d.dropped());
            }
            return due;
        });
        job.deleteDropped(now);
    }

    /** Whether a checkpoint (which may reference earlier snapshots' files) is being taken; savepoints reference nothing. */
    private boolean checkpointsInFlight() {
        return pending.values().stream().anyMatch(p -> !p.barrier.savepoint());
    }

    private void failCheckpoint(PendingCheckpoint p, Throwable cause) {
        abort(p, cause);
        failed(p, cause);
    }

    /** After {@code p} was aborted: a stop's sources go on, and checkpoint failures count against the job. */
    private void failed(PendingCheckpoint p, Throwable cause) {
        if (p.barrier.stopAfter()) {
            attempt.resumeSources();
        }
        if (p.barrier.endOfData()) {
            finalCheckpointPending = false; // tried again on the next tick
        }
        if (p.barrier.savepoint()) {
            return; // a failed savepoint does not count against the job
        }
        consecutiveFailures++;
        job.metrics().checkpointFailed();
        LOG.log(Level.WARNING, "Checkpoint " + p.id() + " of job " + job.jobName() + " failed", cause);
        if (consecutiveFailures > config.tolerableFailures()) {
            attempt.fail(new IllegalStateException("Checkpoint " + p.id() + " failed and the job tolerates "
                    + config.tolerableFailures() + " consecutive checkpoint failures: " + cause.getMessage(), cause));
        }
    }

    private void discardAll(PendingCheckpoint p) {
        if (!job.mayDiscard()) {
            LOG.warning(() -> "Job " + job.jobName() + " leaves the files of aborted snapshot " + p.directory
                    + ": another process has taken the job over, whose snapshots they may be now");
            return;
        }
        p.streams.forEach(this::discard);
        try {
            catalog.discardFiles(p.directory, List.of(), job.keptFiles());
        } catch (Exception e) {
            job.oweSweep();
            LOG.log(Level.WARNING, "Could not remove the files of aborted snapshot " + p.directory + "; the next checkpoint sweeps them", e);
        }
    }

    private void discard(StorageSnapshotStreams streams) {
        try {
            catalog.deleteUnreferenced(streams.createdFiles(), job.keptFiles());
        } catch (Exception e) {
            job.oweSweep();
            LOG.log(Level.WARNING, "Could not remove files of an aborted snapshot; the next checkpoint sweeps them", e);
        }
    }

    /** Stops triggering and aborts what is pending (the attempt is ending). */
    public synchronized void shutdown(Throwable reason) {
        shutDown = true;
        timer.shutdownNow();
        for (PendingCheckpoint p : new ArrayList<>(pending.values())) {
            pending.remove(p.id());
            discardAll(p);
            p.completion.completeExceptionally(new IllegalStateException("Job " + job.jobName() + " stopped before snapshot "
                    + p.id() + " completed" + (reason == null ? "" : ": " + reason.getMessage()), reason));
        }
    }
}
