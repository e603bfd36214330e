package dev.cairn.core.internal.console;

import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.platform.JobInstance;
import dev.cairn.core.internal.platform.JobSupervisor;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code cairn:snapshots}, {@code cairn:snapshot}, {@code cairn:discard}, {@code cairn:move}: a
 * job's snapshots as its ledger lists them, changed only through the platform.
 */
@Component(service = SnapshotCommands.class, property = {"osgi.command.scope=cairn",
        "osgi.command.function=snapshots", "osgi.command.function=snapshot", "osgi.command.function=discard",
        "osgi.command.function=move"})
public final class SnapshotCommands {

    private final JobSupervisor supervisor;

    @Activate
    public SnapshotCommands(@Reference JobSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    /**
     * The snapshots the job's ledger lists, oldest first, with who owns them and which one the job
     * recovers from; a damaged or unreadable one is shown as such instead of failing the listing.
     */
    public String snapshots(String job) throws IOException {
        Tables t = new Tables("KIND", "PATH", "ID", "OWNER", "FORMAT", "SIZE", "TAKEN", "NOTE");
        Listing listing = list(job);
        for (Map<String, Object> e : listing.entries()) {
            String note = Boolean.TRUE.equals(e.get("recovery-point")) ? "recovery point" : null;
            if (e.get("unreadable") != null) {
                note = "UNREADABLE: " + e.get("unreadable");
            }
            if (Boolean.TRUE.equals(e.get("damaged"))) {
                note = "DAMAGED (kept for inspection; not recovered from)" + (note == null ? "" : "; " + note);
            }
            t.row(e.get("kind"), e.get("path"), e.get("id"), e.get("owner"), e.get("format"),
                    e.get("size-bytes") == null ? null : Tables.bytes((Long) e.get("size-bytes")), e.get("taken"), note);
        }
        String problems = listing.problems().isEmpty() ? "" : "\n" + String.join("\n", listing.problems());
        return t + problems;
    }

    /** {@code snapshots <job> --json}: the same as JSON, sizes in bytes, with the ledger's problems. */
    public String snapshots(String job, String... options) throws IOException {
        if (options.length != 1 || !options[0].equals("--json")) {
            throw new IllegalArgumentException("snapshots takes only --json after the job, not " + String.join(" ", options)
                    + " (snapshots <job> [--json])");
        }
        return Tables.json(list(job));
    }

    /** What {@code snapshots} shows: one map per ledger entry, and the ledger's problems. */
    record Listing(List<Map<String, Object>> entries, List<String> problems) {
    }

    private Listing list(String job) throws IOException {
        return find(job).withCatalog((catalog, ledger, running) -> {
            String recovery = ledger.recoveryPoint().map(LedgerEntry::directory).orElse(null);
            List<Map<String, Object>> entries = new ArrayList<>();
            for (LedgerEntry e : ledger.entries()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", e.kind().name().toLowerCase());
                m.put("path", e.directory());
                m.put("id", e.id());
                m.put("owner", e.ownership().name().toLowerCase().replace('_', '-'));
                m.put("format", e.format());
                Optional<String> unreadable = ledger.unreadable(e);
                m.put("size-bytes", unreadable.isPresent() ? null : ledger.snapshot(e).metadata().totalSize());
                m.put("taken", Instant.ofEpochMilli(e.timestamp()).toString());
                m.put("recovery-point", e.directory().equals(recovery));
                m.put("damaged", e.damaged());
                m.put("unreadable", unreadable.orElse(null));
                entries.add(m);
            }
            return new Listing(entries, List.copyOf(ledger.problems()));
        });
    }

    /** A snapshot in a screenful: kind, format, size, operators and their states. */
    public String snapshot(String job, String path) throws IOException {
        JobInstance j = find(job);
        String dir = inJob(j, path);
        return j.withCatalog((catalog, ledger, running) -> SnapshotSummary.of(dir, catalog.load(dir).metadata()));
    }

    /** {@code snapshot <job> <path> --json}: the metadata as stored (JSON, relative paths, sizes and checksums). */
    public String snapshot(String job, String path, String... options) throws IOException {
        if (options.length != 1 || !options[0].equals("--json")) {
            throw new IllegalArgumentException("snapshot takes only --json after the path, not " + String.join(" ", options)
                    + " (snapshot <job> <path> [--json])");
        }
        JobInstance j = find(job);
        String dir = inJob(j, path);
        return j.withCatalog((catalog, ledger, running) -> {
            catalog.load(dir); // checks it is a committed, readable snapshot
            try (InputStream in = catalog.storage().open(SnapshotCatalog.metadataPath(dir))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
    }

    /**
     * Deletes a savepoint with every file no other snapshot of the job references. Checkpoints
     * belong to the platform, and the snapshot the job recovers from is never deleted.
     */
    public String discard(String job, String path) throws IOException {
        JobInstance j = find(job);
        String dir = inJob(j, path);
        if (dir.startsWith(j.name() + "/chk-")) {
            throw new IllegalArgumentException(dir + " is a checkpoint: checkpoints belong to the platform, which retains and deletes them");
        }
        return j.withCatalog((catalog, ledger, running) -> {
            LedgerEntry e = ledger.entry(dir).orElseThrow(() -> new IllegalArgumentException(
                    dir + " is not a snapshot job " + j.name() + " lists (see: snapshots " + j.name() + ")"));
            if (e.kind() != SnapshotKind.SAVEPOINT) {
                throw new IllegalArgumentException(dir + " is not a savepoint: only savepoints are deleted by hand");
            }
            SnapshotLedger.Dropped d = ledger.remove(dir);
            catalog.discardFiles(d.directory(), d.files(), ledger.referencedFiles());
            return "deleted savepoint " + dir;
        });
    }

    /**
     * Moves a savepoint to {@code destination} (a directory relative to the same storage root):
     * copied and committed there, recorded in the ledger, then deleted where it was. A crash in
     * between leaves one complete copy that the ledger lists; the sweep removes the other.
     */
    public String move(String job, String path, String destination) throws IOException {
        JobInstance j = find(job);
        String from = inJob(j, path);
        String to = inJob(j, destination);
        return j.withCatalog((catalog, ledger, running) -> {
            LedgerEntry e = ledger.entry(from).orElseThrow(() -> new IllegalArgumentException(
                    from + " is not a snapshot job " + j.name() + " lists (see: snapshots " + j.name() + ")"));
            if (e.kind() != SnapshotKind.SAVEPOINT) {
                throw new IllegalArgumentException(from + " is a checkpoint: its files are shared with other checkpoints; only savepoints move");
            }
            CompletedSnapshot moved = catalog.copySavepoint(ledger.snapshot(e), to);
            ledger.moved(from, moved);
            catalog.discardFiles(from, java.util.List.of(), ledger.referencedFiles());
            return "moved savepoint " + from + " to " + to;
        });
    }

    private static String inJob(JobInstance j, String path) {
        String dir = StoragePaths.requireRelative(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
        if (!dir.startsWith(j.name() + "/")) {
            throw new IllegalArgumentException(path + " is not a snapshot of job " + j.name() + " (its snapshots are under " + j.name() + "/)");
        }
        return dir;
    }

    private JobInstance find(String name) {
        return supervisor.job(name).orElseThrow(() -> new IllegalArgumentException("No job named '" + name + "'"));
    }
}
