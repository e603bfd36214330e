package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.SnapshotOutput;
import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The kernel's writer of the shared key-group layout, offered to backends that write sections
 * themselves (an incremental snapshot writes only the key groups that changed).
 */
@ProviderType
public interface KeyGroupSectionWriter {

    /** The format the sections are written in, for the handle. */
    String format();

    /**
     * Writes the entries of {@code keyGroup} as one section at the current end of {@code out}.
     *
     * @return the section, or {@code null} when the key group holds no entry (nothing is written)
     */
    KeyGroupSection write(KeyGroupEntries entries, int keyGroup, SnapshotOutput out) throws IOException;

    /**
     * Writes what changed in {@code keyGroup} since its earlier sections as one delta section at the
     * current end of {@code out}; the handle lists it after them (see {@link KeyGroupSectionsHandle}).
     *
     * @return the section, or {@code null} when nothing changed (nothing is written)
     * @since 1.2
     */
    KeyGroupSection writeDelta(KeyGroupChanges changes, int keyGroup, SnapshotOutput out) throws IOException;
}
