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

    /** The base a snapshot's file paths are relative to. */
    public static String baseOf(String directory, SnapshotKind kind) {
        if (kind == SnapshotKind.SAVEPOINT) {
            return directory;
        }
        int slash = directory.lastIndexOf('/');
        return slash < 0 ? "" : directory.substring(0, slash);
    }

    /** The committed checkpoints in this job's directory, oldest first. */
    public List<CompletedSnapshot> completedCheckpoints() throws IOException {
        List<CompletedSnapshot> result = new ArrayList<>();
        for (String path : storage.list(jobName + "/chk-")) {
            String rest = path.substring(jobName.length() + 1);
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).equals(METADATA) && CHECKPOINT_DIR.matcher(rest.substring(0, slash)).matches()) {
                loadIfPresent(jobName + "/" + rest.substring(0, slash), result);
            }
        }
        result.sort(Comparator.comparingLong(CompletedSnapshot::id));
        return result;
    }

    /** The committed savepoints in this job's directory, oldest first. */
    public List<CompletedSnapshot> savepoints() throws IOException {
        List<CompletedSnapshot> result = new ArrayList<>();
        String prefix = jobName + "/savepoints/";
        for (String path : storage.list(prefix)) {
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash > 0 && rest.substring(slash + 1).equals(METADATA)) {
                loadIfPresent(prefix + rest.substring(0, slash), result);
            }
        }
        result.sort(Comparator.comparingLong(s -> s.metadata().timestamp()));
        return result;
    }

    /** Retention may delete a snapshot between listing and loading it: then it is not there. */
    private void loadIfPresent(String directory, List<CompletedSnapshot> into) throws IOException {
        try {
            into.add(load(directory));
        } catch (InvalidSnapshotException e) {
            if (storage.exists(directory + "/" + METADATA)) {
                throw e;
            }
        }
    }

    /**
     * Deletes what a process that died between writing a checkpoint and committing its metadata
     * left behind: files in checkpoint directories without {@code _metadata}, and shared files no
     * committed checkpoint references. Committed snapshots are never touched.
     *
     * @param keep     storage paths to keep whatever else holds (protected and retained snapshots)
     * @param inFlight whether a path belongs to a checkpoint still being written
     * @return how many files were deleted
     */
    public int deleteUncommitted(Set<String> keep, java.util.function.Predicate<String> inFlight) throws IOException {
        Set<String> committedDirectories = new java.util.HashSet<>();
        Set<String> referenced = new java.util.HashSet<>(keep);
        for (CompletedSnapshot c : completedCheckpoints()) {
            committedDirectories.add(c.directory());
            referenced.addAll(c.storagePaths());
        }
        List<String> orphans = new java.util.ArrayList<>();
        for (String path : storage.list(jobName + "/chk-")) {
            String rest = path.substring(jobName.length() + 1);
            String directory = jobName + "/" + rest.substring(0, Math.max(rest.indexOf('/'), 0));
            if (!committedDirectories.contains(directory) && !referenced.contains(path) && !inFlight.test(path)) {
                orphans.add(path);
            }
        }
        for (String path : storage.list(sharedDirectory() + "/")) {
            if (!referenced.contains(path) && !inFlight.test(path)) {
                orphans.add(path);
            }
        }
        storage.deleteAll(orphans);
        return orphans.size();
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
        String path = dir + "/" + METADATA;
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
        storage.commitMetadata(directory + "/" + METADATA, MetadataCodec.write(metadata));
        return new CompletedSnapshot(directory, baseOf(directory, metadata.kind()), metadata);
    }

    /**
     * Deletes a snapshot: first its metadata (so it stops existing at once), then its files
     * except those in {@code stillReferenced}, then whatever else is left in its directory.
     */
    public void discard(CompletedSnapshot snapshot, Set<String> stillReferenced) throws IOException {
        storage.deleteAll(List.of(snapshot.metadataPath()));
        discardFiles(snapshot.directory(), snapshot.storagePaths(), stillReferenced);
    }

    /** Deletes the given files (storage paths) not in {@code stillReferenced}, then everything under {@code directory}. */
    public void discardFiles(String directory, Collection<String> files, Set<String> stillReferenced) throws IOException {
        // first: a commit whose answer was lost may have landed, and half a snapshot must not look whole
        storage.deleteAll(List.of(directory + "/" + METADATA));
        deleteUnreferenced(files, stillReferenced);
        deleteUnreferenced(storage.list(directory + "/"), stillReferenced);
    }

    /** Deletes the given files (storage paths) that are not in {@code stillReferenced}. */
    public void deleteUnreferenced(Collection<String> files, Set<String> stillReferenced) throws IOException {
        storage.deleteAll(files.stream().filter(f -> !stillReferenced.contains(f)).toList());
    }
}
