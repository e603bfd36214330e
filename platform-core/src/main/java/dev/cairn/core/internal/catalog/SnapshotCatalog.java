package dev.cairn.core.internal.catalog;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The snapshots of one job on one storage, laid out as
 * {@code <job>/chk-<n>/_metadata}, {@code <job>/shared/…}, {@code <job>/savepoints/<name>/_metadata}.
 * Knows where things go, finds and loads snapshots, commits metadata and deletes snapshots
 * without touching files other snapshots still reference.
 */
public final class SnapshotCatalog {


    public static final String METADATA = "_metadata";
    private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

    private final SnapshotStorage storage;
    private final String jobName;

    public SnapshotCatalog(SnapshotStorage storage, String jobName) {
        this.storage = storage;
        this.jobName = StoragePaths.requireRelative(jobName);
    }

    public SnapshotStorage storage() {
        return storage;
    }

    public String jobDirectory() {
        return jobName;
    }

    public String checkpointDirectory(long id) {
        return jobName + "/chk-" + id;
    }

    public String savepointDirectory(String name) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("Savepoint name '" + name
                    + "' is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit");
        }
        return jobName + "/savepoints/" + name;
    }

    public String sharedDirectory() {
        return jobName + "/shared";
    }

    /** Where one subtask's files of the snapshot in {@code snapshotDirectory} go. */
    public String subtaskDirectory(String snapshotDirectory, String uid, int subtask) {
        return StoragePaths.join(snapshotDirectory, uid, Integer.toString(subtask));
    }

    /** Where one subtask's files shared by incremental checkpoints go. */
    public String sharedDirectory(String uid, int subtask) {
        return StoragePaths.join(sharedDirectory(), uid, Integer.toString(subtask));
    }

    /** Where the late parts of a savepoint that was aborted go, to be deleted with it. */
    public String abortedSavepointDirectory(long id) {
        return jobName + "/savepoints/.aborted-" + id;
    }

    /** The metadata file of the snapshot in {@code directory}. */
    public static String metadataPath(String directory) {
        return directory + "/" + METADATA;
    }

    /** Where the job's snapshot ledger keeps its versions. */
    public String ledgerDirectory() {
        return jobName + "/ledger";
    }

    /** The base a snapshot's file paths are relative to. */
    public static String baseOf(String directory, SnapshotKind kind) {
        if (kind == SnapshotKind.SAVEPOINT) {
            return directory;
        }
        int slash = directory.lastIndexOf('/');
        return slash < 0 ? "" : directory.substring(0, slash);
    }

    /**
     * Deletes what crashes and failed deletions left in the job's directory: every object that is
     * neither under a directory in {@code keepDirectories} (the snapshots the ledger lists), nor in
     * {@code referenced} (their shared files), nor the ledger, nor being written now; then what the
     * storage itself keeps of unfinished writes (temporary files, open multipart uploads) when
     * {@code nothingWrites}: only before the job runs, since those belong to uploads in progress.
     *
     * @return how many objects were deleted
     */
    public int sweep(Set<String> keepDirectories, Set<String> referenced, java.util.function.Predicate<String> inFlight,
                     boolean nothingWrites) throws IOException {
        List<String> orphans = new ArrayList<>();
        for (String path : storage.list(jobName + "/")) {
            if (path.startsWith(ledgerDirectory() + "/") || referenced.contains(path) || inFlight.test(path)
                    || keepDirectories.stream().anyMatch(d -> path.startsWith(d + "/"))) {
                continue;
            }
            orphans.add(path);
        }
        dev.cairn.core.internal.crash.CrashPoint.SWEEP_BEFORE_DELETE.reach();
        // metadata first, so that no half-deleted snapshot ever looks whole
        orphans.sort(Comparator.comparing((String p) -> !p.endsWith("/" + METADATA)));
        storage.deleteAll(orphans);
        dev.cairn.core.internal.crash.CrashPoint.SWEEP_AFTER_DELETE.reach();
        return orphans.size() + (nothingWrites ? storage.deleteIncomplete(jobName + "/") : 0);
    }

    /** The highest checkpoint id used in this job's directory, committed or not; 0 if none. */
    public long highestCheckpointId() throws IOException {
        long max = 0;
        for (String path : storage.list(jobName + "/chk-")) {
            String dir = path.substring(jobName.length() + 1).split("/", 2)[0];
            Matcher m = CHECKPOINT_DIR.matcher(dir);
            if (m.matches()) {
                max = Math.max(max, Long.parseLong(m.group(1)));
            }
        }
        return max;
    }

    /** Loads the snapshot in {@code directory} (relative to the storage root). */
    public CompletedSnapshot load(String directory) throws IOException {
        String dir = StoragePaths.requireRelative(directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory);
        String path = metadataPath(dir);
        byte[] bytes;
        try (InputStream in = storage.open(path)) {
            bytes = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new InvalidSnapshotException("No snapshot at " + dir + " in " + storage.describe() + ": " + path + " does not exist");
        }
        SnapshotMetadata md = MetadataCodec.read(bytes, path);
        return new CompletedSnapshot(dir, baseOf(dir, md.kind()), md);
    }

    public CompletedSnapshot commit(String directory, SnapshotMetadata metadata) throws IOException {
        storage.commitMetadata(metadataPath(directory), MetadataCodec.write(metadata));
        return new CompletedSnapshot(directory, baseOf(directory, metadata.kind()), metadata);
    }

    /**
     * Copies a savepoint (self-contained: its paths are relative to its own directory) to
     * {@code destination} and commits its metadata there; the original stays.
     */
    public CompletedSnapshot copySavepoint(CompletedSnapshot savepoint, String destination) throws IOException {
        String to = StoragePaths.requireRelative(destination);
        if (storage.exists(metadataPath(to))) {
            throw new IllegalArgumentException("A snapshot already exists at " + to);
        }
        for (String file : savepoint.storagePaths()) {
            try (InputStream in = storage.open(file); java.io.OutputStream out = storage.create(to + file.substring(savepoint.directory().length()))) {
                in.transferTo(out);
            }
        }
        return commit(to, savepoint.metadata());
    }

    /**
     * Copies {@code snapshot} of {@code source} (another storage) to the same paths here, the files
     * it shares with earlier checkpoints included, and commits it. A copy committed before (a
     * move interrupted after it) is taken as it is.
     */
    public CompletedSnapshot copyFrom(SnapshotCatalog source, CompletedSnapshot snapshot) throws IOException {
        if (storage.exists(metadataPath(snapshot.directory()))) {
            return load(snapshot.directory());
        }
        for (String file : snapshot.storagePaths()) {
            storage.delete(file); // a copy a kill interrupted: written again, whole
            try (InputStream in = source.storage.open(file); java.io.OutputStream out = storage.create(file)) {
                in.transferTo(out);
            }
        }
        return commit(snapshot.directory(), snapshot.metadata());
    }

    /** Deletes the given files (storage paths) not in {@code stillReferenced}, then everything under {@code directory}. */
    public void discardFiles(String directory, Collection<String> files, Set<String> stillReferenced) throws IOException {
        // first: a commit whose answer was lost may have landed, and half a snapshot must not look whole
        storage.deleteAll(List.of(metadataPath(directory)));
        dev.cairn.core.internal.crash.CrashPoint.RETENTION_AFTER_METADATA_DELETE.reach();
        deleteUnreferenced(files, stillReferenced);
        deleteUnreferenced(storage.list(directory + "/"), stillReferenced);
    }

    /** Deletes the given files (storage paths) that are not in {@code stillReferenced}. */
    public void deleteUnreferenced(Collection<String> files, Set<String> stillReferenced) throws IOException {
        storage.deleteAll(files.stream().filter(f -> !stillReferenced.contains(f)).toList());
    }
}
