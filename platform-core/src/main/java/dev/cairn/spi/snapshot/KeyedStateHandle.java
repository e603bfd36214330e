package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.List;

/**
 * The keyed state of one subtask in a snapshot: {@link KeyGroupSectionsHandle sections} in the
 * key-group layout every backend reads, a backend's {@link NativeFilesHandle own files}, or
 * either of them with the {@link ChangelogHandle changes logged} since (since 1.3).
 */
public sealed interface KeyedStateHandle permits KeyGroupSectionsHandle, NativeFilesHandle, ChangelogHandle {

    KeyGroupRange keyGroupRange();

    /** The schema of every state the handle holds. */
    List<StateMetaInfo> states();

    /** Every stored file the handle references, for ownership, retention and sizes. */
    List<FileRef> storedFiles();
}
