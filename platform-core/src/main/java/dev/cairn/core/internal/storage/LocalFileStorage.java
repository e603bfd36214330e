package dev.cairn.core.internal.storage;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Snapshot storage on a local (or mounted) filesystem. Reads and writes go through 64 KiB
 * buffers, so a restore costs a handful of syscalls per megabyte, not several per entry. New
 * objects are written to a hidden temporary name, fsynced and renamed into place when complete;
 * metadata is fsynced and hard-linked into place, which is atomic and fails if the name exists.
 * The directories renames and links changed are fsynced before any metadata is committed, so
 * after a power loss committed metadata never points at files whose names were lost.
 */
public final class LocalFileStorage implements SnapshotStorage {

    static final int BUFFER = 64 * 1024;
    private static final String TEMP_PREFIX = ".inprogress-";

    private final Path root;
    /** Directories whose new entries are not yet durable: synced before the next metadata commit. */
    private final java.util.Set<Path> unsyncedDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public LocalFileStorage(Path root) throws IOException {
        this.root = Files.createDirectories(root.toAbsolutePath().normalize());
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    /** Where {@code path} is on the local disk; refuses paths that would leave the root. */
    public Path resolve(String path) {
        Path p = root.resolve(StoragePaths.requireRelative(path)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("Path '" + path + "' leaves the storage root " + root);
        }
        return p;
    }

    @Override
    public OutputStream create(String path) throws IOException {
        Path target = resolve(path);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID() + "-" + target.getFileName());
        FileChannel channel = openNew(temp);
        return new FilterOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER)) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try {
                    out.flush();
                    channel.force(false);
                    channel.close();
                    Files.move(temp, target);
                    unsyncedDirectories.add(target.getParent());
                } catch (IOException e) {
                    channel.close();
                    Files.deleteIfExists(temp);
                    throw e;
                }
            }
        };
    }

    @Override
    public InputStream openRange(String path, long offset, long length) throws IOException {
        Path p = resolve(path);
        FileChannel channel = FileChannel.open(p, StandardOpenOption.READ);
        channel.position(offset);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel), BUFFER);
        return length < 0 ? in : new BoundedInputStream(in, length);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        // list the deepest existing directory the prefix names, then filter by the full prefix
        String dir = prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "";
        Path start = dir.isEmpty() ? root : resolve(dir);
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        List<String> result = new ArrayList<>();
        // snapshots are written and deleted while someone lists: a file or directory that vanishes
        // during the walk is simply not there
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                String relative = root.relativize(f).toString().replace('\\', '/');
                if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(TEMP_PREFIX) && relative.startsWith(prefix)) {
                    result.add(relative);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        result.sort(null);
        return result;
    }

    @Override
    public boolean exists(String path) {
        return Files.isRegularFile(resolve(path));
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(resolve(path));
    }

    @Override
    public boolean delete(String path) throws IOException {
        Path p = resolve(path);
        boolean deleted = Files.deleteIfExists(p);
        // remove directories the deletion left empty, up to the root
        for (Path dir = p.getParent(); dir != null && !dir.equals(root); dir = dir.getParent()) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    break;
                }
            } catch (NoSuchFileException e) {
                continue;
            }
            try {
                Files.delete(dir);
            } catch (IOException e) {
                break; // a concurrent writer put something there
            }
        }
        return deleted;
    }

    @Override
    public void commitMetadata(String path, byte[] bytes) throws IOException {
        Path target = resolve(path);
        createDirectories(target.getParent());
        for (Path dir : List.copyOf(unsyncedDirectories)) {
            unsyncedDirectories.remove(dir);
            syncDirectory(dir);
        }
        Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.createLink(target, temp);
            syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Creates {@code file} and its directories. A concurrent {@link #delete} may remove a directory
     * it found empty between the two steps; the directories are then made again.
     */
    private FileChannel openNew(Path file) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                createDirectories(file.getParent());
                return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException | java.nio.file.FileAlreadyExistsException e) {
                // a directory removed under the open, or between createDirectories' create and check (the file's name is unique)
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** Creates missing directories and remembers their parents, whose new entries must become durable too. */
    private void createDirectories(Path dir) throws IOException {
        Path existing = dir;
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        Files.createDirectories(dir);
        for (Path d = dir; d != null && existing != null && !d.equals(existing); d = d.getParent()) {
            unsyncedDirectories.add(d.getParent());
        }
    }

    @Override
    public int deleteIncomplete(String prefix) throws IOException {
        String dir = prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "";
        Path start = dir.isEmpty() ? root : resolve(dir);
        if (!Files.isDirectory(start)) {
            return 0;
        }
        List<Path> temporaries;
        try (Stream<Path> files = Files.walk(start)) {
            temporaries = files.filter(f -> f.getFileName().toString().startsWith(TEMP_PREFIX))
                    .filter(f -> root.relativize(f).toString().replace('\\', '/').startsWith(prefix)).toList();
        }
        for (Path t : temporaries) {
            delete(root.relativize(t).toString().replace('\\', '/'));
        }
        return temporaries.size();
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some filesystems cannot fsync a directory; the link itself is already atomic
        }
    }

    private static final class BoundedInputStream extends java.io.FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }
    }
}
