package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.util.List;

/**
 * What a keyed backend restores from.
 *
 * @param handles         the handles of the old subtasks whose key groups overlap this one's
 * @param baseReusable    the restored files may be referenced by the next incremental
 *                        checkpoint (false for NO_CLAIM and savepoints: the next one is full)
 */
public record RestoreContext(List<KeyedStateHandle> handles, SnapshotReader reader, boolean baseReusable) {
    public static final RestoreContext NONE = new RestoreContext(List.of(), null, false);
}
