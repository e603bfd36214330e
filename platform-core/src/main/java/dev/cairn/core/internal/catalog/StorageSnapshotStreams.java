package dev.cairn.core.internal.catalog;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

/**
 * The files of one subtask's snapshot. Remembers every object it created so that an aborted
 * snapshot can be cleaned up completely. An owned file that stays within the inline threshold
 * never becomes an object: its bytes go into the snapshot's metadata ({@link #inlinedFiles()}).
 * Shared files are never inlined: later snapshots reference them by path.
 */
public final class StorageSnapshotStreams implements SnapshotStreams {

    private final SnapshotStorage storage;
    private final String base;
    private final String ownedDir;
    private final String sharedDir;
    private final int inlineThreshold;
    private final List<String> created = new CopyOnWriteArrayList<>();
    private final java.util.function.Consumer<String> beforeCreate;
    private final Map<String, byte[]> inlined = new ConcurrentHashMap<>();

    /**
     * @param base            what returned paths are relative to
     * @param ownedDir        where owned files go (relative to the storage root)
     * @param sharedDir       where shared files go; for savepoints the same as {@code ownedDir}
     * @param inlineThreshold owned files up to this many bytes are inlined; 0 for none
     */
    public StorageSnapshotStreams(SnapshotStorage storage, String base, String ownedDir, String sharedDir, int inlineThreshold) {
        this(storage, base, ownedDir, sharedDir, inlineThreshold, path -> { });
    }

    /** @param beforeCreate told each object's storage path before the object exists (to keep it from deletion) */
    public StorageSnapshotStreams(SnapshotStorage storage, String base, String ownedDir, String sharedDir, int inlineThreshold,
                                  java.util.function.Consumer<String> beforeCreate) {
        this.beforeCreate = beforeCreate;
        this.storage = storage;
        this.base = base;
        this.ownedDir = ownedDir;
        this.sharedDir = sharedDir;
        this.inlineThreshold = inlineThreshold;
    }

    @Override
    public SnapshotOutput createOwned(String name) throws IOException {
        return open(StoragePaths.join(ownedDir, name), inlineThreshold);
    }

    @Override
    public SnapshotOutput createShared(String name) throws IOException {
        return open(StoragePaths.join(sharedDir, UUID.randomUUID() + "-" + name), 0);
    }

    /** These streams with every file shared, for what is written between checkpoints: nothing there belongs to one snapshot. */
    public SnapshotStreams allShared() {
        return new SnapshotStreams() {
            @Override
            public SnapshotOutput createOwned(String name) throws IOException {
                return createShared(name);
            }

            @Override
            public SnapshotOutput createShared(String name) throws IOException {
                return StorageSnapshotStreams.this.createShared(name);
            }
        };
    }

    /** Storage paths of every object created so far (complete or not). */
    public List<String> createdFiles() {
        return List.copyOf(created);
    }

    /** Content of the files kept inline, by path relative to the base. */
    public Map<String, byte[]> inlinedFiles() {
        return Map.copyOf(inlined);
    }

    private SnapshotOutput open(String storagePath, int threshold) throws IOException {
        String relative = base.isEmpty() ? storagePath : storagePath.substring(base.length() + 1);
        ChecksummingOutput out = new ChecksummingOutput(storagePath, relative, threshold);
        if (threshold == 0) {
            out.becomeObject();
        }
        return out;
    }

    private final class ChecksummingOutput extends SnapshotOutput {
        private final String storagePath;
        private final String relativePath;
        private final int threshold;
        private ByteArrayOutputStream held = new ByteArrayOutputStream();
        private OutputStream out;
        private final CRC32C fileCrc = new CRC32C();
        private final CRC32C sectionCrc = new CRC32C();
        private long position;
        private long sectionStart = -1;
        private boolean done;

        ChecksummingOutput(String storagePath, String relativePath, int threshold) {
            this.storagePath = storagePath;
            this.relativePath = relativePath;
            this.threshold = threshold;
        }

        void becomeObject() throws IOException {
            beforeCreate.accept(storagePath);
            created.add(storagePath);
            out = storage.create(storagePath);
            held.writeTo(out);
            held = null;
        }

        private OutputStream target(int adding) throws IOException {
            if (out == null && held.size() + adding > threshold) {
                becomeObject();
            }
            return out != null ? out : held;
        }

        @Override
        public void write(int b) throws IOException {
            target(1).write(b);
            fileCrc.update(b);
            sectionCrc.update(b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target(len).write(b, off, len);
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
            if (out != null) {
                out.close();
            } else {
                inlined.put(relativePath, held.toByteArray());
            }
            return new FileRef(relativePath, position, fileCrc.getValue());
        }

        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                if (out != null) {
                    try {
                        out.close();
                    } finally {
                        storage.delete(storagePath);
                    }
                }
            }
        }
    }
}
