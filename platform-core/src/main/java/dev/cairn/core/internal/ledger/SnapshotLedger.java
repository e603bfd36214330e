package dev.cairn.core.internal.ledger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.InvalidSnapshotException;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.crash.CrashPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The one durable record of a job's completed snapshots and of the snapshot it recovers from.
 * Recovery, fallback, resume, retention, handovers and the crash sweep read it; nothing else
 * decides where a job comes back from. It lives on the job's snapshot storage (so a platform on
 * another machine can take the job over) as numbered, write-once versions under
 * {@code <job>/ledger/}: an update is one atomic commit of the next version, and a version that
 * already exists, or a newer one, means another process wrote it, which is refused rather than
 * overwritten. A run claims the ledger as it starts and restarts ({@link #claim}), so a process
 * still running a job another one took over records nothing, and so commits nothing, past that.
 *
 * <p>A snapshot is recorded after its {@code _metadata} is committed and before any sink commits
 * for it, so the recovery point is never older than the job's committed output.
 */
public final class SnapshotLedger {

    private static final Logger LOG = Logger.getLogger(SnapshotLedger.class.getName());
    private static final int FORMAT_VERSION = 1;
    /** Older versions kept beside the newest, in case the newest is damaged. */
    private static final int KEEP_VERSIONS = 3;
    /** How often a starting run reads the ledger again and claims it while other processes keep writing it. */
    static final int CLAIM_ATTEMPTS = 5;
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One version of the ledger as stored. {@code writer} names the ledger object that wrote it (one
     * per run): two runs writing the same content still write different versions, so a claim can
     * never pass for another run's. Versions written before it existed read as {@code null}.
     */
    record State(int formatVersion, String job, long sequence, String recoveryPoint, List<LedgerEntry> entries, String writer) {
        State {
            entries = entries == null ? List.of() : List.copyOf(entries);
        }
    }

    private final SnapshotCatalog catalog;
    private final String writer = java.util.UUID.randomUUID().toString();
    private final Map<String, CompletedSnapshot> loaded = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    private State state;
    private Attempt unconfirmed;

    private SnapshotLedger(SnapshotCatalog catalog, State state) {
        this.catalog = catalog;
        this.state = state;
    }

    /** Reads the newest readable version of the job's ledger; an empty ledger if it has none. */
    public static SnapshotLedger open(SnapshotCatalog catalog) throws IOException {
        List<String> problems = new ArrayList<>();
        SnapshotLedger ledger = new SnapshotLedger(catalog, read(catalog, problems));
        ledger.problems.addAll(problems);
        return ledger;
    }

    /** The newest readable version; {@code problems} gets what was unreadable. */
    private static State read(SnapshotCatalog catalog, List<String> problems) throws IOException {
        List<String> versions = catalog.storage().list(catalog.ledgerDirectory() + "/");
        long highest = 0;
        State found = null;
        for (int i = versions.size() - 1; i >= 0 && found == null; i--) {
            String path = versions.get(i);
            long seq = sequenceOf(path);
            if (seq < 0) {
                continue;
            }
            highest = Math.max(highest, seq);
            try (InputStream in = catalog.storage().open(path)) {
                State s = MAPPER.readValue(in.readAllBytes(), State.class);
                if (s.formatVersion() != FORMAT_VERSION || s.sequence() != seq) {
                    throw new IOException("format version " + s.formatVersion() + ", sequence " + s.sequence());
                }
                found = s;
            } catch (IOException e) {
                String message = "ledger version " + path + " is not readable (" + e.getMessage() + "); using the one before it";
                problems.add(message);
                LOG.warning("Job " + catalog.jobDirectory() + ": " + message);
            }
        }
        return found != null ? new State(FORMAT_VERSION, catalog.jobDirectory(), highest, found.recoveryPoint(), found.entries(), found.writer())
                : new State(FORMAT_VERSION, catalog.jobDirectory(), highest, null, List.of(), null);
    }

    private static long sequenceOf(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!name.matches("\\d{20}\\.json")) {
            return -1;
        }
        return Long.parseLong(name.substring(0, 20));
    }

    // ---- reading

    public synchronized List<LedgerEntry> entries() {
        return state.entries();
    }

    /** The snapshot the job recovers from, if it has one. */
    public synchronized Optional<LedgerEntry> recoveryPoint() {
        return Optional.ofNullable(state.recoveryPoint()).flatMap(this::entry);
    }

    public synchronized Optional<LedgerEntry> entry(String directory) {
        return state.entries().stream().filter(e -> e.directory().equals(directory)).findFirst();
    }

    /** What was found wrong while reading the ledger and its snapshots (reported by the console). */
    public synchronized List<String> problems() {
        return List.copyOf(problems);
    }

    /** The entry's snapshot, read once; fails naming the file when its metadata is missing or unreadable. */
    public synchronized CompletedSnapshot snapshot(LedgerEntry entry) throws IOException {
        CompletedSnapshot s = loaded.get(entry.directory());
        if (s == null) {
            s = catalog.load(entry.directory());
            loaded.put(entry.directory(), s);
        }
        return s;
    }

    /**
     * Storage paths no deletion may touch: every file of every listed snapshot (damaged ones
     * included: they are kept for inspection), its metadata, and the ledger itself.
     */
    public synchronized Set<String> referencedFiles() {
        Set<String> files = new LinkedHashSet<>();
        for (LedgerEntry e : state.entries()) {
            files.add(SnapshotCatalog.metadataPath(e.directory()));
            try {
                files.addAll(snapshot(e).storagePaths());
            } catch (IOException unreadable) {
                // its files cannot be known: the sweep keeps its whole directory instead
            }
        }
        return files;
    }

    /** Directories of the listed snapshots: the crash sweep keeps everything under them. */
    public synchronized Set<String> directories() {
        Set<String> dirs = new LinkedHashSet<>();
        state.entries().forEach(e -> dirs.add(e.directory()));
        return dirs;
    }

    /** The highest snapshot id the ledger has seen, to keep ids monotonic. */
    public synchronized long highestId() {
        return state.entries().stream().mapToLong(LedgerEntry::id).max().orElse(0);
    }

    // ---- updating (each method writes one new version)

    /**
     * Records a snapshot that just completed as the recovery point, and lets retention drop the
     * platform's own snapshots beyond the newest {@code retained}.
     *
     * @return the snapshots dropped from the ledger: their files may be deleted now
     */
    public synchronized List<Dropped> record(CompletedSnapshot snapshot, Ownership ownership, int retained) throws IOException {
        loaded.put(snapshot.directory(), snapshot);
        List<LedgerEntry> next = new ArrayList<>(state.entries());
        next.removeIf(e -> e.directory().equals(snapshot.directory()));
        // in id order: a savepoint that completes after a newer checkpoint is listed, but the
        // sinks have committed past it, so it does not become the recovery point
        LedgerEntry added = entryOf(snapshot, ownership, false);
        int at = next.size();
        while (at > 0 && next.get(at - 1).id() > added.id()) {
            at--;
        }
        next.add(at, added);
        LedgerEntry current = recoveryPoint().orElse(null);
        String recoveryPoint = current == null || current.id() <= added.id() ? added.directory() : current.directory();
        List<LedgerEntry> dropped = retention(next, recoveryPoint, retained);
        next.removeAll(dropped);
        write(recoveryPoint, next, added);
        return dropped.stream().map(this::forget).toList();
    }

    /** A snapshot the ledger no longer lists, with the files it referenced (empty if its metadata was unreadable). */
    public record Dropped(String directory, Set<String> files) {
    }

    private Dropped forget(LedgerEntry e) {
        Set<String> files;
        try {
            files = snapshot(e).storagePaths();
        } catch (IOException unreadable) {
            files = Set.of();
        }
        loaded.remove(e.directory());
        return new Dropped(e.directory(), files);
    }

    private static List<LedgerEntry> retention(List<LedgerEntry> entries, String recoveryPoint, int retained) {
        List<LedgerEntry> owned = entries.stream().filter(e -> e.ownership().platformDeletes() && !e.damaged()).toList();
        List<LedgerEntry> dropped = new ArrayList<>();
        for (int i = 0; i < owned.size() - retained; i++) {
            if (!owned.get(i).directory().equals(recoveryPoint)) {
                dropped.add(owned.get(i));
            }
        }
        return dropped;
    }

    /**
     * Makes this process the ledger's only writer: it writes a version that changes nothing, so a
     * process that wrote before (one still running a range the group has moved away from it) fails
     * at its next update instead of recording snapshots, and so committing output, past this one.
     * {@code takeOver}, for a run that starts: a version another process wrote since this ledger
     * was read is read and the claim made again. Otherwise, for a restart within a run, such a
     * version means another process took the job over.
     *
     * @throws LedgerTakenOverException when another process wrote the ledger ({@code takeOver}:
     *                                  each time, for {@value #CLAIM_ATTEMPTS} attempts)
     */
    public synchronized void claim(boolean takeOver) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                write(state.recoveryPoint(), state.entries());
                return;
            } catch (LedgerTakenOverException e) {
                if (!takeOver || attempt == CLAIM_ATTEMPTS) {
                    throw e;
                }
                problems.clear();
                state = read(catalog, problems);
                unconfirmed = null;
            }
        }
    }

    /**
     * Makes {@code snapshot} the recovery point: one the ledger lists keeps its entry (and its
     * ownership unless {@code ownership} claims it), another one is added.
     */
    public synchronized void recoverFrom(CompletedSnapshot snapshot, Ownership ownership, boolean dropsUnknownState) throws IOException {
        loaded.put(snapshot.directory(), snapshot);
        List<LedgerEntry> next = new ArrayList<>(state.entries());
        Optional<LedgerEntry> listed = entry(snapshot.directory());
        if (listed.isPresent()) {
            LedgerEntry e = listed.get();
            Ownership o = e.ownership() == Ownership.NOT_CLAIMED && ownership == Ownership.CLAIMED ? Ownership.CLAIMED : e.ownership();
            next.set(next.indexOf(e), e.withOwnership(o, dropsUnknownState));
        } else {
            next.add(entryOf(snapshot, ownership, dropsUnknownState));
        }
        write(snapshot.directory(), next);
        CrashPoint.RESUME_AFTER_LEDGER_UPDATE.reach();
    }

    /**
     * The recovery point failed its checks: it is marked damaged (kept for inspection) and the
     * newest older recoverable snapshot becomes the recovery point.
     *
     * @return the new recovery point, or empty when no older completed snapshot exists
     */
    public synchronized Optional<LedgerEntry> markDamaged(String directory) throws IOException {
        List<LedgerEntry> next = new ArrayList<>(state.entries());
        int at = -1;
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).directory().equals(directory)) {
                at = i;
                next.set(i, next.get(i).asDamaged());
            }
        }
        LedgerEntry fallback = null;
        for (int i = at - 1; i >= 0 && fallback == null; i--) {
            if (next.get(i).recoverable()) {
                fallback = next.get(i);
            }
        }
        write(fallback == null ? null : fallback.directory(), next);
        return Optional.ofNullable(fallback);
    }

    /** Removes a snapshot the user discards; the recovery point cannot be removed. */
    public synchronized Dropped remove(String directory) throws IOException {
        if (directory.equals(state.recoveryPoint())) {
            throw new IllegalArgumentException("Job " + state.job() + " recovers from " + directory
                    + "; it cannot be deleted (take a newer snapshot or resume from another one first)");
        }
        LedgerEntry e = entry(directory).orElseThrow(() -> new IllegalArgumentException(directory + " is not a snapshot of job " + state.job()));
        Dropped d = forget(e);
        List<LedgerEntry> next = new ArrayList<>(state.entries());
        next.remove(e);
        write(state.recoveryPoint(), next);
        return d;
    }

    /** Replaces the entry of a moved snapshot. */
    public synchronized void moved(String from, CompletedSnapshot to) throws IOException {
        List<LedgerEntry> next = new ArrayList<>(state.entries());
        LedgerEntry e = entry(from).orElseThrow(() -> new IllegalArgumentException(from + " is not a snapshot of job " + state.job()));
        next.set(next.indexOf(e), new LedgerEntry(e.id(), to.directory(), e.kind(), e.format(), e.ownership(), e.timestamp(),
                e.dropsUnknownState(), e.damaged()));
        loaded.remove(from);
        loaded.put(to.directory(), to);
        write(from.equals(state.recoveryPoint()) ? to.directory() : state.recoveryPoint(), next);
    }

    /**
     * The job's configuration is gone: a job created later under the same name starts afresh.
     * Its snapshots stay listed, so nothing sweeps them; the user's to resume from or discard.
     */
    public synchronized void retire() throws IOException {
        List<LedgerEntry> next = new ArrayList<>();
        for (LedgerEntry e : state.entries()) {
            next.add(e.ownership().platformDeletes() ? e.withOwnership(Ownership.USER, e.dropsUnknownState()) : e);
        }
        write(null, next);
    }

    private LedgerEntry entryOf(CompletedSnapshot s, Ownership ownership, boolean dropsUnknownState) {
        var md = s.metadata();
        return new LedgerEntry(md.snapshotId(), s.directory(), md.kind(), md.format(), ownership, md.timestamp(), dropsUnknownState, false);
    }

    private void write(String recoveryPoint, List<LedgerEntry> entries) throws IOException {
        write(recoveryPoint, entries, null);
    }

    /** @param recorded the entry of the snapshot this version records, or {@code null} */
    private void write(String recoveryPoint, List<LedgerEntry> entries, LedgerEntry recorded) throws IOException {
        long seq = state.sequence() + 1;
        if (unconfirmed != null && landed(unconfirmed)) {
            seq = unconfirmed.sequence() + 1; // this update supersedes the one whose failure was reported
        }
        unconfirmed = null;
        State next = new State(FORMAT_VERSION, state.job(), seq, recoveryPoint, entries, writer);
        String path = versionPath(seq);
        byte[] bytes = MAPPER.writeValueAsBytes(next);
        CrashPoint.LEDGER_BEFORE_WRITE.reach();
        try {
            catalog.storage().commitMetadata(path, bytes);
        } catch (FileAlreadyExistsException e) {
            if (landed(new Attempt(seq, bytes))) {
                LOG.fine(() -> path + " was stored by an earlier attempt of this write whose answer was lost");
            } else {
                throw anotherWriter(path, e);
            }
        } catch (IOException e) {
            // an object store may have stored a write whose answer was lost: the next update checks
            unconfirmed = new Attempt(seq, bytes);
            throw e;
        }
        // the version written may be one a newer writer has pruned already: only the newest version counts
        unconfirmed = new Attempt(seq, bytes); // until the check below answers: the version is stored, whatever it says
        String newer = newerThan(seq);
        boolean claimedAfter = newer != null && recorded != null && claimedAfter(seq, recorded);
        unconfirmed = null;
        if (claimedAfter) {
            // the sinks here may commit for the snapshot too, but this process writes nothing more
            state = next;
            LOG.warning(() -> "Job " + state.job() + ": snapshot " + recorded.directory() + " is recorded, and the ledger was taken over after it ("
                    + newer + "); this process writes it no more");
            return;
        }
        if (newer != null) {
            throw new LedgerTakenOverException("The snapshot ledger of job " + state.job() + " was taken over by another process ("
                    + newer + " is newer than " + path + ", written by this one): another platform runs this job on "
                    + catalog.storage().describe() + "; this one stops writing", null);
        }
        state = next;
        CrashPoint.LEDGER_AFTER_WRITE.reach();
        List<String> old = new ArrayList<>();
        for (long s = seq - KEEP_VERSIONS; s > 0 && s > seq - KEEP_VERSIONS - 8; s--) {
            old.add(versionPath(s));
        }
        try {
            catalog.storage().deleteAll(old);
        } catch (IOException e) {
            LOG.fine(() -> "old ledger versions of " + state.job() + " stay until the next update: " + e);
        }
        CrashPoint.LEDGER_AFTER_PRUNE.reach();
    }

    /** Whether no other process has written the ledger since this one last read or wrote it. */
    public synchronized boolean stillOurs() throws IOException {
        long ours = unconfirmed != null && landed(unconfirmed) ? unconfirmed.sequence() : state.sequence();
        return newerThan(ours) == null;
    }

    /**
     * Whether another process claimed the ledger right after version {@code seq}, which records
     * {@code recorded}: the oldest version above it is that process's, readable, and lists the
     * snapshot, so that process restores it (or a later one) and commits for it.
     */
    private boolean claimedAfter(long seq, LedgerEntry recorded) throws IOException {
        String oldest = null;
        for (String path : catalog.storage().list(catalog.ledgerDirectory() + "/")) {
            if (sequenceOf(path) > seq && (oldest == null || sequenceOf(path) < sequenceOf(oldest))) {
                oldest = path;
            }
        }
        if (oldest == null) {
            return false;
        }
        State next;
        try (InputStream in = catalog.storage().open(oldest)) {
            next = MAPPER.readValue(in.readAllBytes(), State.class);
        } catch (IOException unreadable) {
            return false; // what the other process restores cannot be told: its sinks may not commit for this snapshot
        }
        return next.writer() != null && !next.writer().equals(writer) && next.entries().contains(recorded);
    }

    /** The newest ledger version if it is numbered above {@code seq}, else {@code null}. */
    private String newerThan(long seq) throws IOException {
        String newest = null;
        for (String path : catalog.storage().list(catalog.ledgerDirectory() + "/")) {
            if (sequenceOf(path) > seq && (newest == null || sequenceOf(path) > sequenceOf(newest))) {
                newest = path;
            }
        }
        return newest;
    }

    private LedgerTakenOverException anotherWriter(String path, FileAlreadyExistsException e) {
        return new LedgerTakenOverException("The snapshot ledger of job " + state.job() + " was updated by another process ("
                + path + " exists): two platforms run this job on " + catalog.storage().describe() + "; this one stops writing", e);
    }

    /** A ledger version whose write was reported failed, in case it was stored all the same. */
    private record Attempt(long sequence, byte[] bytes) {
    }

    /** Whether the failed write stored exactly this process's version (anything else there is another writer's). */
    private boolean landed(Attempt attempt) throws IOException {
        String path = versionPath(attempt.sequence());
        if (!catalog.storage().exists(path)) {
            return false;
        }
        byte[] stored;
        try (var in = catalog.storage().open(path)) {
            stored = in.readAllBytes();
        }
        return java.util.Arrays.equals(stored, attempt.bytes());
    }

    private String versionPath(long seq) {
        return catalog.ledgerDirectory() + "/" + String.format("%020d", seq) + ".json";
    }

    /** Whether loading the entry's snapshot works; the reason when it does not. */
    public synchronized Optional<String> unreadable(LedgerEntry e) {
        try {
            snapshot(e);
            return Optional.empty();
        } catch (InvalidSnapshotException ex) {
            return Optional.of(ex.getMessage());
        } catch (IOException ex) {
            return Optional.of(ex.toString());
        }
    }
}
