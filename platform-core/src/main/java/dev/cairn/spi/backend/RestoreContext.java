package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** What a keyed backend restores from; the kernel provides it. */
@ProviderType
public interface RestoreContext {

    /** Nothing to restore. */
    RestoreContext NONE = new RestoreContext() {
        @Override
        public List<KeyedStateHandle> handles() {
            return List.of();
        }

        @Override
        public SnapshotReader reader() {
            return null;
        }

        @Override
        public boolean baseReusable() {
            return false;
        }

        @Override
        public RestoreContext withHandles(List<KeyedStateHandle> handles) {
            if (!handles.isEmpty()) {
                throw new IllegalArgumentException("Nothing to restore from");
            }
            return this;
        }

        @Override
        public RestoreContext withReader(SnapshotReader reader) {
            return this;
        }

        @Override
        public KeyGroupEntries entries() {
            return new KeyGroupEntries() {
                @Override
                public List<StateMetaInfo> states() {
                    return List.of();
                }

                @Override
                public KeyGroupRange keyGroupRange() {
                    return KeyGroupRange.EMPTY;
                }

                @Override
                public void read(int keyGroup, dev.cairn.spi.snapshot.StateEntrySink sink) {
                }

                @Override
                public void close() {
                }
            };
        }
    };

    /**
     * The handles of the old subtasks whose key groups overlap this one's (all of them when the
     * key-group count changed). A backend reads its own {@link dev.cairn.spi.snapshot.NativeFilesHandle}s
     * itself; everything in sections it reads through {@link #entries()}.
     */
    List<KeyedStateHandle> handles();

    SnapshotReader reader();

    /**
     * Whether the restored files may be referenced by the next incremental checkpoint (false for
     * NO_CLAIM, savepoints and a changed key-group count: the next checkpoint is then full).
     */
    boolean baseReusable();

    /**
     * Every entry of this backend's key groups held in sections (any backend's, any format's),
     * re-assigned to key groups if the key-group count changed. Its states are those of the
     * section handles, by name. Distinct key groups may be read from several threads at once.
     */
    KeyGroupEntries entries() throws IOException;

    /**
     * The same restore over other handles (same reader, key groups and reusability): what a
     * wrapping backend hands the backend it wraps, such as a changelog's materialisations.
     *
     * @since 1.1
     */
    RestoreContext withHandles(List<KeyedStateHandle> handles);

    /**
     * The same restore reading every file through {@code reader}: a backend that keeps copies of
     * its last checkpoint on local disk (local recovery) reads them instead of the stored files,
     * and falls back to {@link #reader()} for what it does not have.
     *
     * @since 1.4
     */
    RestoreContext withReader(SnapshotReader reader);
}
