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
 *
 * @param root the storage root on local disk; {@code null} on an object store
 * @param base the storage root as a user names it (a directory, or {@code s3://bucket/prefix})
 */
record OpenedSnapshot(String location, Path root, String base, SnapshotStorage storage, CompletedSnapshot snapshot) implements AutoCloseable {

    /** Releases the storage (an object store's client); a failure to do so is no reason to fail a verb that is done. */
    @Override
    public void close() {
        try {
            storage.close();
        } catch (IOException | RuntimeException e) {
            // nothing left to read
        }
    }

    SnapshotMetadata metadata() {
        return snapshot.metadata();
    }

    /**
     * Refuses a snapshot holding records in flight (an unaligned checkpoint) for a verb that writes a
     * savepoint from it: the savepoint would hold the state without the records the state still needs.
     */
    void requireNoRecordsInFlight(String verb) throws ToolException {
        if (metadata().inFlightSize() > 0) {
            throw new ToolException(location() + " is an unaligned checkpoint holding " + metadata().inFlightSize() + " bytes of records in"
                    + " flight, which a savepoint cannot carry: " + verb + " would lose them; take a savepoint of the job instead"
                    + " (savepoints are aligned)");
        }
    }

    /** Where a file of the snapshot is, for messages: the file on disk, or the metadata it is inlined in. */
    String describe(String relative) {
        if (metadata().inlined().containsKey(relative)) {
            return relative + " (inlined in " + at(snapshot.metadataPath()) + ")";
        }
        return at(snapshot.resolve(relative));
    }

    private String at(String path) {
        return root != null ? root.resolve(path).toString() : base + "/" + path;
    }

    /**
     * Opens the snapshot in a local directory ({@code chk-<n>} of a job, or a savepoint's), or
     * whose {@code _metadata} file is given.
     */
    static OpenedSnapshot open(String location) throws ToolException {
        return open(location, null);
    }

    /**
     * The same, and a snapshot on an object store ({@code s3://bucket/path}) through its storage
     * plugin, configured from {@code storageConfig} (or the platform's {@code etc/}).
     */
    static OpenedSnapshot open(String location, Path storageConfig) throws ToolException {
        if (location.contains("://")) {
            try {
                return openOnObjectStore(location, storageConfig);
            } catch (IOException e) {
                throw new ToolException(location + " could not be read: " + firstLine(e), 3);
            }
        }
        Path dir = Path.of(location).toAbsolutePath().normalize();
        if (Files.isRegularFile(dir) && dir.getFileName().toString().equals(SnapshotCatalog.METADATA)) {
            dir = dir.getParent();
        }
        if (Files.isRegularFile(dir)) {
            throw new ToolException(location + " is not a snapshot: a file, not a snapshot's directory or its "
                    + SnapshotCatalog.METADATA + " file");
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
            return new OpenedSnapshot(location, root, root.toString(), storage,
                    new CompletedSnapshot(relative, SnapshotCatalog.baseOf(relative, metadata.kind()), metadata));
        } catch (IOException e) {
            throw new ToolException(location + ": " + firstLine(e));
        }
    }

    /** As on disk: a savepoint's paths are relative to its own directory, a checkpoint's to its job's. */
    private static OpenedSnapshot openOnObjectStore(String location, Path storageConfig) throws ToolException, IOException {
        ObjectStores.Location at = ObjectStores.parse(location);
        String[] segments = at.path().split("/");
        String name = segments[segments.length - 1];
        String prefix = String.join("/", java.util.Arrays.copyOf(segments, segments.length - 1));
        SnapshotMetadata metadata;
        try (SnapshotStorage parent = ObjectStores.open(at, prefix, storageConfig)) {
            String metadataPath = name + "/" + SnapshotCatalog.METADATA;
            if (!parent.exists(metadataPath)) {
                throw new ToolException(location + " is not a snapshot: it holds no " + SnapshotCatalog.METADATA
                        + " object (give a job's chk-<n> or a savepoint's location)");
            }
            try (java.io.InputStream in = parent.open(metadataPath)) {
                metadata = MetadataCodec.read(in.readAllBytes(), location + "/" + SnapshotCatalog.METADATA);
            } catch (RuntimeException e) {
                throw new ToolException(location + " is not a readable snapshot: " + firstLine(e));
            }
        }
        String relative = name;
        if (metadata.kind() != SnapshotKind.SAVEPOINT) {
            if (segments.length < 2) {
                throw new ToolException(location + " is not a snapshot: a checkpoint lies in <storage root>/<job>/chk-<n>");
            }
            relative = segments[segments.length - 2] + "/" + name;
            prefix = String.join("/", java.util.Arrays.copyOf(segments, segments.length - 2));
        }
        String base = location.substring(0, location.indexOf("://") + 3) + at.bucket() + (prefix.isEmpty() ? "" : "/" + prefix);
        return new OpenedSnapshot(location, null, base, ObjectStores.open(at, prefix, storageConfig),
                new CompletedSnapshot(relative, SnapshotCatalog.baseOf(relative, metadata.kind()), metadata));
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
