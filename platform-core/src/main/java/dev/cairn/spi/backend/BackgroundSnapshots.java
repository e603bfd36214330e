package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSectionWriter;
import java.io.IOException;
import java.util.Collection;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Files a keyed backend writes to the job's snapshot storage between checkpoints (a changelog's
 * log segments and materialisations), so that a checkpoint only has to reference them. Every
 * file is shared (later snapshots may reference it), never inlined into metadata, and kept from
 * every deletion until the backend {@link #release releases} it; once released it is deleted
 * when no retained snapshot references it. What is still held when the subtask's run ends is
 * deleted unless a snapshot references it.
 *
 * @since 1.1
 */
@ProviderType
public interface BackgroundSnapshots {

    /** Where nothing is written between checkpoints: a backend must then write everything in {@link KeyedStateBackend#snapshot}. */
    BackgroundSnapshots NONE = new BackgroundSnapshots() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public SnapshotStreams streams() {
            throw new UnsupportedOperationException("No background snapshots here");
        }

        @Override
        public long nextId() {
            throw new UnsupportedOperationException("No background snapshots here");
        }

        @Override
        public KeyGroupSectionWriter sectionWriter() {
            throw new UnsupportedOperationException("No background snapshots here");
        }

        @Override
        public void release(Collection<FileRef> files) {
        }
    };

    /** Whether this backend may write between checkpoints at all. */
    boolean available();

    /** Creates files held for this backend; paths in the refs are relative to the job's snapshot directory, as a checkpoint's shared files are. */
    SnapshotStreams streams() throws IOException;

    /** An id from the job's snapshot-id sequence, for a snapshot the backend takes by itself (ids never collide with checkpoints'). */
    long nextId();

    /** A writer of key-group sections in the kernel's layout, for a wrapped backend that writes sections. */
    KeyGroupSectionWriter sectionWriter();

    /** The backend will not reference these files again. */
    void release(Collection<FileRef> files);
}
