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
        return SnapshotCatalog.metadataPath(directory);
    }

    public String resolve(String relative) {
        return base.isEmpty() ? relative : base + "/" + relative;
    }

    /** Every referenced file that is an object of its own, as a storage path (inlined files are not). */
    public Set<String> storagePaths() {
        Set<String> paths = new LinkedHashSet<>();
        metadata.referencedFiles().stream().filter(f -> !metadata.inlined().containsKey(f)).forEach(f -> paths.add(resolve(f)));
        return paths;
    }

    public long id() {
        return metadata.snapshotId();
    }
}
