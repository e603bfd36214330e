package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * Local recovery: a copy, in the subtask's working directory (which outlives a failed attempt,
 * not the job run), of every file the backend's checkpoints write; the backend deletes the copies
 * of files its base and its written checkpoints no longer reference. A restore after a failure
 * reads a section from its copy when the copy holds it with the recorded checksum, and from
 * snapshot storage otherwise. A copy that cannot be written is given up, never the checkpoint.
 */
final class LocalCopies {
    private static final Logger LOG = Logger.getLogger(LocalCopies.class.getName());
    private static final String PARTIAL = ".partial-";

    private final Path root;
    private final AtomicLong readLocally;
    private final AtomicLong fetched;

    /** Sections a restore reads count into {@code readLocally} or {@code fetched} (the backend's gauges). */
    LocalCopies(Path root, AtomicLong readLocally, AtomicLong fetched) {
        this.root = root;
        this.readLocally = readLocally;
        this.fetched = fetched;
    }

    /** The local name of a stored file: one file name, whatever the stored path holds ("/" or ".."). */
    private Path copyOf(String storedPath) {
        return root.resolve("f-" + URLEncoder.encode(storedPath, StandardCharsets.UTF_8));
    }

    /** {@code stored}, also written to a local copy that takes the stored file's name once it is durable. */
    SnapshotOutput copying(SnapshotOutput stored) {
        OutputStream local;
        Path partial;
        try {
            Files.createDirectories(root);
            partial = Files.createTempFile(root, PARTIAL, "");
            local = new BufferedOutputStream(Files.newOutputStream(partial), 64 * 1024);
        } catch (IOException e) {
            LOG.warning("No local copy of this checkpoint in " + root + ": " + e);
            return stored;
        }
        return new CopyingOutput(stored, local, partial);
    }

    /** Deletes the copies of {@code storedPaths}. */
    void delete(Set<String> storedPaths) {
        for (String p : storedPaths) {
            try {
                Files.deleteIfExists(copyOf(p));
            } catch (IOException e) {
                LOG.warning("Cannot delete the local copy " + copyOf(p) + ", which no checkpoint needs: " + e);
            }
        }
    }

    /** Reads sections from their local copies where they hold them intact, everything else through {@code stored}. */
    SnapshotReader reader(SnapshotReader stored) {
        return new SnapshotReader() {
            @Override
            public byte[] readSection(KeyGroupSection section) throws IOException {
                byte[] local = readLocally(section);
                if (local != null) {
                    return local;
                }
                fetched.incrementAndGet();
                return stored.readSection(section);
            }

            @Override
            public List<byte[]> readSections(List<KeyGroupSection> sections) throws IOException {
                List<byte[]> out = new ArrayList<>(sections.size());
                List<Integer> missing = new ArrayList<>();
                for (int i = 0; i < sections.size(); i++) {
                    byte[] local = readLocally(sections.get(i));
                    out.add(local);
                    if (local == null) {
                        missing.add(i);
                    }
                }
                if (!missing.isEmpty()) {
                    fetched.addAndGet(missing.size());
                    List<byte[]> fromStorage = stored.readSections(missing.stream().map(sections::get).toList());
                    for (int j = 0; j < missing.size(); j++) {
                        out.set(missing.get(j), fromStorage.get(j));
                    }
                }
                return out;
            }

            @Override
            public byte[] readFile(FileRef file) throws IOException {
                return stored.readFile(file);
            }

            @Override
            public void placeFile(FileRef file, Path target) throws IOException {
                stored.placeFile(file, target);
            }
        };
    }

    /** The section's bytes from its local copy, or {@code null} when there is none or it differs from the checkpoint's. */
    private byte[] readLocally(KeyGroupSection section) {
        Path copy = copyOf(section.path());
        if (section.length() > Integer.MAX_VALUE - 16) {
            return null;
        }
        try (FileChannel in = FileChannel.open(copy, StandardOpenOption.READ)) {
            if (in.size() < section.offset() + section.length()) {
                return null;
            }
            ByteBuffer bytes = ByteBuffer.allocate((int) section.length());
            while (bytes.hasRemaining() && in.read(bytes, section.offset() + bytes.position()) >= 0) {
                // reads until full
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.array(), 0, bytes.position());
            if (bytes.hasRemaining() || crc.getValue() != section.crc32c()) {
                LOG.warning("The local copy " + copy + " of key group " + section.keyGroup() + " does not match its checksum "
                        + Long.toHexString(section.crc32c()) + "; it is read from snapshot storage");
                return null;
            }
            readLocally.incrementAndGet();
            return bytes.array();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warning("Cannot read the local copy " + copy + " (" + e + "); key group " + section.keyGroup() + " is read from snapshot storage");
            return null;
        }
    }

    /** Writes to the stored file and its local copy; the copy is dropped at its first failure, the stored file goes on. */
    private final class CopyingOutput extends SnapshotOutput {
        private final SnapshotOutput stored;
        private final Path partial;
        private OutputStream local;

        CopyingOutput(SnapshotOutput stored, OutputStream local, Path partial) {
            this.stored = stored;
            this.local = local;
            this.partial = partial;
        }

        @Override
        public void write(int b) throws IOException {
            stored.write(b);
            copy(() -> local.write(b));
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            stored.write(b, off, len);
            copy(() -> local.write(b, off, len));
        }

        private void copy(IoAction action) {
            if (local != null) {
                try {
                    action.run();
                } catch (IOException e) {
                    LOG.warning("The local copy " + partial + " is given up: " + e);
                    dropCopy();
                }
            }
        }

        private void dropCopy() {
            try {
                if (local != null) {
                    local.close();
                }
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                LOG.warning("Cannot delete " + partial + ": " + e);
            } finally {
                local = null;
            }
        }

        @Override
        public long position() {
            return stored.position();
        }

        @Override
        public void beginSection() {
            stored.beginSection();
        }

        @Override
        public KeyGroupSection endSection(int keyGroup) {
            return stored.endSection(keyGroup);
        }

        @Override
        public FileRef closeAndGetRef() throws IOException {
            FileRef ref;
            try {
                ref = stored.closeAndGetRef();
            } catch (IOException | RuntimeException e) {
                dropCopy();
                throw e;
            }
            if (local != null) {
                try {
                    local.close();
                    local = null;
                    Files.move(partial, copyOf(ref.path()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    LOG.warning("No local copy of " + ref.path() + ": " + e);
                    dropCopy();
                }
            }
            return ref;
        }

        @Override
        public void close() throws IOException {
            try {
                stored.close();
            } finally {
                dropCopy();
            }
        }
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
