package dev.cairn.core.internal.catalog;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A snapshot whose metadata is committed.
 *
 * @param directory where {@code _metadata} is, relative to the storage root
 * @param base      what the metadata's file paths are relative to
 */
public record CompletedSnapshot(String directory, String base, SnapshotMetadata metadata) {

    public String metadataPath() {
        return directory + "/" + SnapshotCatalog.METADATA;
    }

    public String resolve(String relative) {
        return base.isEmpty() ? relative : base + "/" + relative;
    }

    /** Every referenced file as a storage path. */
    public Set<String> storagePaths() {
        Set<String> paths = new LinkedHashSet<>();
        metadata.referencedFiles().forEach(f -> paths.add(resolve(f)));
        return paths;
    }

    public long id() {
        return metadata.snapshotId();
    }
}
