package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.MetadataCodec;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A snapshot found from what a user typed: the storage its files are on, and the snapshot as the
 * platform's catalog sees it (paths relative to the storage root, checked to stay inside it).
 */
record OpenedSnapshot(String location, Path root, SnapshotStorage storage, CompletedSnapshot snapshot) {

    SnapshotMetadata metadata() {
        return snapshot.metadata();
    }

    /** Where a file of the snapshot is, for messages: the file on disk, or the metadata it is inlined in. */
    String describe(String relative) {
        if (metadata().inlined().containsKey(relative)) {
            return relative + " (inlined in " + root.resolve(snapshot.metadataPath()) + ")";
        }
        return root.resolve(snapshot.resolve(relative)).toString();
    }

    /**
     * Opens the snapshot in a local directory ({@code chk-<n>} of a job, or a savepoint's), or
     * whose {@code _metadata} file is given.
     */
    static OpenedSnapshot open(String location) throws ToolException {
        if (location.contains("://")) {
            throw new ToolException(location + ": object stores are not read offline yet; copy the snapshot to a local"
                    + " directory (a savepoint is self-contained) and give its path");
        }
        Path dir = Path.of(location).toAbsolutePath().normalize();
        if (Files.isRegularFile(dir) && dir.getFileName().toString().equals(SnapshotCatalog.METADATA)) {
            dir = dir.getParent();
        }
        if (!Files.isDirectory(dir)) {
            throw new ToolException(location + " is not a snapshot: no such directory");
        }
        Path metadataFile = dir.resolve(SnapshotCatalog.METADATA);
        if (!Files.isRegularFile(metadataFile)) {
            throw new ToolException(location + " is not a snapshot: it holds no " + SnapshotCatalog.METADATA
                    + " file (give a job's chk-<n> directory or a savepoint's directory)");
        }
        SnapshotMetadata metadata;
        try {
            metadata = MetadataCodec.read(Files.readAllBytes(metadataFile), metadataFile.toString());
        } catch (IOException | RuntimeException e) {
            throw new ToolException(location + " is not a readable snapshot: " + firstLine(e));
        }
        // a checkpoint's paths are relative to its job's directory (shared files live there), a savepoint's to its own
        Path root = metadata.kind() == SnapshotKind.SAVEPOINT ? dir.getParent() : dir.getParent() == null ? null : dir.getParent().getParent();
        if (root == null) {
            throw new ToolException(location + " is not a snapshot: a checkpoint lies in <storage root>/<job>/chk-<n>");
        }
        String relative = root.relativize(dir).toString().replace('\\', '/');
        try {
            SnapshotStorage storage = new LocalFileStorage(root);
            return new OpenedSnapshot(location, root, storage,
                    new CompletedSnapshot(relative, SnapshotCatalog.baseOf(relative, metadata.kind()), metadata));
        } catch (IOException e) {
            throw new ToolException(location + ": " + firstLine(e));
        }
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
