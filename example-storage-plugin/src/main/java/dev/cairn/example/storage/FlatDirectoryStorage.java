package dev.cairn.example.storage;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A storage that keeps every object as one file in a single flat directory, its path encoded
 * into the file name: the shape of most object stores (flat key space, write-once objects),
 * small enough to read in one sitting. Replace the file calls with your service's calls.
 *
 * <p>The contract, in the order the conformance kit checks it:
 * <ul>
 *   <li>every path goes through {@link StoragePaths#requireRelative} before anything else;</li>
 *   <li>an object becomes visible only when its stream closes, and never replaces an existing one;</li>
 *   <li>{@link #commitMetadata} is atomic and write-once;</li>
 *   <li>{@link #list} returns full paths under a prefix, sorted;</li>
 *   <li>{@link #describe} names the place without secrets.</li>
 * </ul>
 */
final class FlatDirectoryStorage implements SnapshotStorage {

    private static final String PENDING = ".pending-";
    private final Path directory;

    FlatDirectoryStorage(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    private Path file(String path) {
        return directory.resolve(URLEncoder.encode(StoragePaths.requireRelative(path), StandardCharsets.UTF_8));
    }

    @Override
    public String describe() {
        return "flatdir:" + directory;
    }

    @Override
    public OutputStream create(String path) throws IOException {
        Path target = file(path);
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(path);
        }
        // write aside, publish on close: readers never see half an object
        Path pending = directory.resolve(PENDING + UUID.randomUUID());
        FileChannel channel = FileChannel.open(pending, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FilterOutputStream(Channels.newOutputStream(channel)) {
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
                    channel.force(true);
                    super.close();
                    publish(pending, target, path);
                } finally {
                    Files.deleteIfExists(pending);
                }
            }
        };
    }

    /** Links the finished file under its name; the link fails if the name exists (write-once). */
    private static void publish(Path pending, Path target, String path) throws IOException {
        try {
            Files.createLink(target, pending);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(path);
        } catch (UnsupportedOperationException e) {
            try {
                Files.move(pending, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                throw new IOException("The directory supports neither hard links nor atomic moves: " + target.getParent(), notAtomic);
            }
        }
    }

    @Override
    public InputStream openRange(String path, long offset, long length) throws IOException {
        Path f = file(path);
        if (!Files.exists(f)) {
            throw new NoSuchFileException(path);
        }
        FileChannel channel = FileChannel.open(f, StandardOpenOption.READ);
        channel.position(offset);
        InputStream in = Channels.newInputStream(channel);
        return length < 0 ? in : new java.io.BufferedInputStream(in) {
            private long left = length;

            @Override
            public synchronized int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public synchronized int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }
        };
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith(PENDING))
                    .map(name -> URLDecoder.decode(name, StandardCharsets.UTF_8))
                    .filter(path -> path.startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public boolean exists(String path) {
        return Files.exists(file(path));
    }

    @Override
    public long size(String path) throws IOException {
        return Files.size(file(path));
    }

    @Override
    public boolean delete(String path) throws IOException {
        return Files.deleteIfExists(file(path));
    }

    @Override
    public void commitMetadata(String path, byte[] bytes) throws IOException {
        try (OutputStream out = create(path)) {
            out.write(bytes);
        }
    }
}
