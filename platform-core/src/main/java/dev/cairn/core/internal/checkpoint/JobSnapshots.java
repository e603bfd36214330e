package dev.cairn.core.internal.checkpoint;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.crash.CrashPoint;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import java.io.IOException;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a job's snapshots need that outlives its execution attempts: ids, the catalog, the ledger
 * that records each completed snapshot, retention's deletions, the crash sweep, and the metrics.
 * Every attempt's {@link CheckpointCoordinator} reports to it.
 */
public final class JobSnapshots {

    private static final Logger LOG = Logger.getLogger(JobSnapshots.class.getName());

    private final String jobName;
    private final SnapshotCatalog catalog;
    private final SnapshotLedger ledger;
    private final CheckpointConfig config;
    private final String backend;
    private final Map<String, String> describedConfig;
    private final LongSupplier clock;
    private final AtomicLong ids;
    private final JobMetrics metrics;
    private final AtomicBoolean sweepOwed = new AtomicBoolean();
    /** Storage paths keyed backends wrote between checkpoints and still hold: no deletion touches them. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private volatile long lastCompletedCheckpoint = -1;
    private volatile SnapshotMetadata lastCheckpointMetadata;

    /**
     * @param describedConfig the job configuration recorded in each snapshot's metadata (never storage settings)
     */
    public JobSnapshots(String jobName, SnapshotCatalog catalog, CheckpointConfig config, String backend,
                        Map<String, String> describedConfig, LongSupplier clock, JobMetrics metrics) throws IOException {
        this.metrics = metrics;
        this.jobName = jobName;
        this.catalog = catalog;
        this.ledger = SnapshotLedger.open(catalog);
        this.config = config;
        this.backend = backend;
        this.describedConfig = Map.copyOf(describedConfig);
        this.clock = clock;
        this.ids = new AtomicLong(Math.max(catalog.highestCheckpointId(), ledger.highestId()));
    }

    public String jobName() {
        return jobName;
    }

    public SnapshotCatalog catalog() {
        return catalog;
    }

    public SnapshotLedger ledger() {
        return ledger;
    }

    public JobMetrics metrics() {
        return metrics;
    }

    CheckpointConfig config() {
        return config;
    }

    String backend() {
        return backend;
    }

    Map<String, String> describedConfig() {
        return describedConfig;
    }

    public LongSupplier clock() {
        return clock;
    }

    public long nextId() {
        return ids.incrementAndGet();
    }

    /** Keeps a file written between checkpoints from every deletion until {@link #release}d. */
    public void hold(String storagePath) {
        held.add(storagePath);
    }

    /** A backend no longer needs these files: deleted unless a listed snapshot references them. */
    public void release(Collection<String> storagePaths) {
        held.removeAll(storagePaths);
        try {
            catalog.deleteUnreferenced(storagePaths, keptFiles());
        } catch (IOException e) {
            oweSweep();
            LOG.log(Level.WARNING, "Could not delete files a backend of job " + jobName + " released; the next checkpoint sweeps them", e);
        }
    }

    /** What no deletion may touch: the files of every snapshot the ledger lists and those backends hold. */
    public Set<String> keptFiles() {
        Set<String> kept = new HashSet<>(ledger.referencedFiles());
        kept.addAll(held);
        return kept;
    }

    /**
     * Makes this run the ledger's only writer ({@link SnapshotLedger#claim}); the checkpoint ids go
     * on past whatever the ledger and the storage hold once it is claimed.
     */
    public void claim(boolean takeOver) throws IOException {
        ledger.claim(takeOver);
        ids.accumulateAndGet(Math.max(catalog.highestCheckpointId(), ledger.highestId()), Math::max);
    }

    /**
     * Whether this run may still delete what its aborted snapshots wrote: not once another process
     * took the job over, whose snapshots may have the same ids, and so the same directories.
     */
    boolean mayDiscard() {
        boolean ours;
        try {
            ours = ledger.stillOurs();
        } catch (IOException e) {
            ours = false;
        }
        if (!ours) {
            oweSweep(); // left to the sweep after the next completed checkpoint, which only the ledger's writer reaches
        }
        return ours;
    }

    /** Ids stay above those of a snapshot the job is seeded with, even when its own are gone. */
    public void idsAbove(long id) {
        ids.accumulateAndGet(id, Math::max);
    }

    /** -1 before the first checkpoint completes. */
    public long lastCompletedCheckpointId() {
        return lastCompletedCheckpoint;
    }

    /** The metadata of the last checkpoint completed, for what the next one adds. */
    SnapshotMetadata lastCheckpointMetadata() {
        return lastCheckpointMetadata;
    }

    /**
     * A snapshot completed: the ledger makes it the recovery point (before any sink commits for
     * it) and drops what retention no longer keeps.
     */
    List<SnapshotLedger.Dropped> completed(CompletedSnapshot snapshot, Ownership ownership) throws IOException {
        List<SnapshotLedger.Dropped> dropped = ledger.record(snapshot, ownership, config.retained());
        if (snapshot.metadata().kind() == SnapshotKind.CHECKPOINT) {
            lastCompletedCheckpoint = snapshot.id();
            lastCheckpointMetadata = snapshot.metadata();
        }
        return dropped;
    }

    /** Deletes the files of snapshots the ledger dropped; a failure leaves them to the next sweep. */
    void deleteDropped(List<SnapshotLedger.Dropped> dropped) {
        for (SnapshotLedger.Dropped d : dropped) {
            CrashPoint.RETENTION_BEFORE_DELETE.reach();
            try {
                catalog.discardFiles(d.directory(), d.files(), keptFiles());
            } catch (IOException e) {
                oweSweep();
                LOG.log(Level.WARNING, "Could not delete snapshot " + d.directory() + " of job " + jobName + "; the next checkpoint sweeps it", e);
            }
            CrashPoint.RETENTION_AFTER_DELETE.reach();
        }
    }

    /** Deletes a savepoint the ledger lists, unless the job recovers from it. */
    public void discard(String directory) throws IOException {
        SnapshotLedger.Dropped d = ledger.remove(directory);
        catalog.discardFiles(d.directory(), d.files(), keptFiles());
    }

    /**
     * Deletes whatever crashed runs, aborted snapshots and failed deletions left that the ledger
     * does not list; {@code inFlight} names what snapshots being written now hold.
     */
    public void sweep(Predicate<String> inFlight, boolean nothingWrites) {
        try {
            int deleted = catalog.sweep(ledger.directories(), keptFiles(), path -> inFlight.test(path) || held.contains(path), nothingWrites);
            if (deleted > 0) {
                LOG.info(() -> "Job " + jobName + ": deleted " + deleted + " files that crashed or aborted runs left and no snapshot references");
            }
        } catch (IOException e) {
            oweSweep();
            LOG.log(Level.WARNING, "Could not delete what aborted snapshots of job " + jobName + " left; the next checkpoint sweeps it", e);
        }
    }

    /** True after a failed deletion, until a sweep has run. */
    boolean sweepDue() {
        return sweepOwed.getAndSet(false);
    }

    /** Files of an aborted snapshot could not be deleted: the next completed checkpoint sweeps. */
    void oweSweep() {
        sweepOwed.set(true);
    }
}
