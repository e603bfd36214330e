package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.List;

/**
 * Keyed state in the key-group layout every backend writes and reads: per key group one
 * checksummed section, its entries framed by the kernel and encoded by {@code format}.
 *
 * @param format   {@link SnapshotFormat#FULL} (the kernel's own encoding) or the name of a
 *                 format plugin, such as {@code canonical}, that must be present to read it
 * @param sections where each key group's bytes are; incremental snapshots reference sections of earlier files.
 *                 A key group may have several sections, in order: the first holds its entries, each
 *                 later one a delta ({@link KeyGroupChanges}) over those before it (since 1.2)
 * @param files    every file a section lies in
 */
public record KeyGroupSectionsHandle(String format, KeyGroupRange keyGroupRange, List<StateMetaInfo> states,
                                     List<KeyGroupSection> sections, List<FileRef> files) implements KeyedStateHandle {
    public KeyGroupSectionsHandle {
        states = List.copyOf(states);
        sections = List.copyOf(sections);
        files = List.copyOf(files);
    }

    @Override
    public List<FileRef> storedFiles() {
        return files;
    }
}
