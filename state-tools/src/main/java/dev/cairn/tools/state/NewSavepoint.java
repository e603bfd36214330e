package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.MetadataCodec;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.storage.LocalFileStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A savepoint the tool writes: a directory that did not exist, outside every job's directory (the
 * platform deletes there what a job's ledger does not list), laid out as the platform lays out its
 * own savepoints; its metadata is committed last, so a run that fails leaves nothing that looks
 * like a snapshot.
 */
final class NewSavepoint {

    private final Path directory;
    private final LocalFileStorage storage;
    private final String relative;
    private final List<StorageSnapshotStreams> streams = new ArrayList<>();

    private NewSavepoint(Path directory, LocalFileStorage storage) {
        this.directory = directory;
        this.storage = storage;
        this.relative = directory.getFileName().toString();
    }

    /** @param input the snapshot read, whose directory the new one must not lie in; {@code null} for none */
    static NewSavepoint at(Path target, OpenedSnapshot input) throws ToolException, IOException {
        Path dir = target.toAbsolutePath().normalize();
        if (input != null && input.root() != null) {
            Path inputDir = real(input.root().resolve(input.snapshot().directory()));
            if (real(dir).startsWith(inputDir)) {
                throw new ToolException(target + " lies inside the snapshot it is made from (" + inputDir + "): write it elsewhere");
            }
        }
        if (Files.exists(dir)) {
            throw new ToolException(target + " exists already: a new savepoint goes into a new directory");
        }
        if (dir.getParent() == null) {
            throw new ToolException(target + " cannot hold a savepoint: give a directory inside another");
        }
        for (Path d = dir.getParent(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("ledger"))) {
                throw new ToolException(target + " lies inside the directory of job '" + d.getFileName() + "' (" + d + "), where the platform"
                        + " deletes what the job's ledger does not list: write the new savepoint elsewhere, e.g. " + d.resolveSibling("imported")
                        .resolve(dir.getFileName()));
            }
        }
        Files.createDirectories(dir.getParent());
        return new NewSavepoint(dir, new LocalFileStorage(dir.getParent()));
    }

    /** The path with the links of its existing part resolved: a link must not hide that a target lies in the input. */
    private static Path real(Path p) throws IOException {
        Path existing = p;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? p : existing.toRealPath().resolve(existing.relativize(p)).normalize();
    }

    Path directory() {
        return directory;
    }

    /** Where subtask {@code subtask} of operator {@code uid} writes its files; a uid that is not one path segment is refused. */
    StorageSnapshotStreams streams(String uid, int subtask) throws ToolException {
        if (uid.isEmpty() || uid.equals(".") || uid.equals("..") || uid.contains("/") || uid.contains("\\")) {
            throw new ToolException("operator uid '" + uid + "' cannot name a directory of the new savepoint");
        }
        String owned = relative + "/" + uid + "/" + subtask;
        StorageSnapshotStreams s = new StorageSnapshotStreams(storage, relative, owned, owned, 0);
        streams.add(s);
        return s;
    }

    /** Deletes what a run that failed wrote (it has no metadata, so nothing took it for a snapshot). */
    void abandon() {
        ScratchDirectory.delete(directory);
    }

    /** Commits the metadata; returns the bytes the savepoint's files hold. */
    long commit(long snapshotId, String format, String backend, String jobName, int maxParallelism, Map<String, String> jobConfig,
                List<SnapshotMetadata.OperatorSnapshot> operators) throws IOException {
        Map<String, byte[]> inlined = new TreeMap<>();
        streams.forEach(s -> inlined.putAll(s.inlinedFiles()));
        SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, snapshotId, SnapshotKind.SAVEPOINT, relative,
                format, backend, jobName, System.currentTimeMillis(), maxParallelism, jobConfig, operators, inlined);
        storage.commitMetadata(SnapshotCatalog.metadataPath(relative), MetadataCodec.write(md));
        return md.totalSize();
    }
}
