package dev.cairn.core.internal.catalog;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

/**
 * The files of one subtask's snapshot. Remembers every file it created so that an aborted
 * snapshot can be cleaned up completely.
 */
public final class StorageSnapshotStreams implements SnapshotStreams {

    private final SnapshotStorage storage;
    private final String base;
    private final String ownedDir;
    private final String sharedDir;
    private final List<String> created = new CopyOnWriteArrayList<>();

    /**
     * @param base      what returned paths are relative to
     * @param ownedDir  where owned files go (relative to the storage root)
     * @param sharedDir where shared files go; for savepoints the same as {@code ownedDir}
     */
    public StorageSnapshotStreams(SnapshotStorage storage, String base, String ownedDir, String sharedDir) {
        this.storage = storage;
        this.base = base;
        this.ownedDir = ownedDir;
        this.sharedDir = sharedDir;
    }

    @Override
    public SnapshotOutput createOwned(String name) throws IOException {
        return open(StoragePaths.join(ownedDir, name));
    }

    @Override
    public SnapshotOutput createShared(String name) throws IOException {
        return open(StoragePaths.join(sharedDir, UUID.randomUUID() + "-" + name));
    }

    /** Storage paths of every file created so far (complete or not). */
    public List<String> createdFiles() {
        return List.copyOf(created);
    }

    private SnapshotOutput open(String storagePath) throws IOException {
        created.add(storagePath);
        String relative = base.isEmpty() ? storagePath : storagePath.substring(base.length() + 1);
        return new ChecksummingOutput(storage, storagePath, relative, storage.create(storagePath));
    }

    private static final class ChecksummingOutput extends SnapshotOutput {
        private final SnapshotStorage storage;
        private final String storagePath;
        private final String relativePath;
        private final OutputStream out;
        private final CRC32C fileCrc = new CRC32C();
        private final CRC32C sectionCrc = new CRC32C();
        private long position;
        private long sectionStart = -1;
        private boolean done;

        ChecksummingOutput(SnapshotStorage storage, String storagePath, String relativePath, OutputStream out) {
            this.storage = storage;
            this.storagePath = storagePath;
            this.relativePath = relativePath;
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            fileCrc.update(b);
            sectionCrc.update(b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            fileCrc.update(b, off, len);
            sectionCrc.update(b, off, len);
            position += len;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public void beginSection() {
            sectionStart = position;
            sectionCrc.reset();
        }

        @Override
        public KeyGroupSection endSection(int keyGroup) {
            if (sectionStart < 0) {
                throw new IllegalStateException("endSection without beginSection");
            }
            KeyGroupSection s = new KeyGroupSection(keyGroup, relativePath, sectionStart, position - sectionStart, sectionCrc.getValue());
            sectionStart = -1;
            return s;
        }

        @Override
        public FileRef closeAndGetRef() throws IOException {
            done = true;
            out.close();
            return new FileRef(relativePath, position, fileCrc.getValue());
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try {
                    out.close();
                } finally {
                    storage.delete(storagePath);
                }
            }
        }
    }
}
