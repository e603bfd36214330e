package dev.cairn.spi.backend;

import java.io.IOException;
import org.osgi.annotation.versioning.ProviderType;

/** Where a backend writes the files of one snapshot of one subtask. */
@ProviderType
public interface SnapshotStreams {
    /** A file owned by this snapshot only; deleted with it. */
    SnapshotOutput createOwned(String name) throws IOException;

    /**
     * A file later snapshots may reference too (incremental); the catalog deletes it when no
     * retained snapshot references it. For savepoints this is the same as an owned file.
     */
    SnapshotOutput createShared(String name) throws IOException;
}
