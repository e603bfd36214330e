package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.List;

/**
 * The keyed state of one subtask in a snapshot: either {@link KeyGroupSectionsHandle sections}
 * in the key-group layout every backend reads, or a backend's {@link NativeFilesHandle own files}.
 */
public sealed interface KeyedStateHandle permits KeyGroupSectionsHandle, NativeFilesHandle {

    KeyGroupRange keyGroupRange();

    /** The schema of every state the handle holds. */
    List<StateMetaInfo> states();

    /** Every stored file the handle references, for ownership, retention and sizes. */
    List<FileRef> storedFiles();
}
