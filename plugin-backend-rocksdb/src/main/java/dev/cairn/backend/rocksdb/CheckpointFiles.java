package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Where each stored file of a native checkpoint goes in a RocksDB directory. A handle maps every
 * stored path to a local file name and, for a piece of an append-only file (a write-ahead log
 * uploaded chunk by chunk), the offset of the piece: {@code local:<path> = <name>[@<offset>]}.
 */
final class CheckpointFiles {

    /** Handle property prefix: the stored path of a file → where it goes in a RocksDB directory. */
    static final String LOCAL_NAME = "local:";
    private static final int FETCH_THREADS = 4;

    private CheckpointFiles() {
    }

    /** A stored file's place in a RocksDB directory. */
    record Placement(FileRef file, String name, long offset) {
        String encoded() {
            return offset == 0 ? name : name + "@" + offset;
        }
    }

    static String encode(String name, long offset) {
        return new Placement(null, name, offset).encoded();
    }

    /** The placements of every file of {@code handle}; refuses names that would leave the directory. */
    static List<Placement> placements(KeyedStateHandle handle) throws IOException {
        List<Placement> placements = new ArrayList<>();
        for (FileRef file : handle.files()) {
            String value = handle.properties().get(LOCAL_NAME + file.path());
            String name = value;
            long offset = 0;
            int at = value == null ? -1 : value.lastIndexOf('@');
            try {
                if (at >= 0) {
                    name = value.substring(0, at);
                    offset = Long.parseLong(value.substring(at + 1));
                }
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".") || offset < 0) {
                throw new IOException("Snapshot file " + file.path() + " has no valid RocksDB file name in its handle (" + value + ")");
            }
            placements.add(new Placement(file, name, offset));
        }
        return placements;
    }

    /** Fetches every file of {@code handle} into {@code dir} (each checked against its checksum), several at a time. */
    static void fetch(KeyedStateHandle handle, SnapshotReader reader, Path dir) throws IOException {
        List<Placement> placements = placements(handle);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(FETCH_THREADS, placements.size())), r -> {
            Thread t = new Thread(r, "cairn-rocksdb-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (Placement p : placements) {
                pending.add(pool.submit(() -> {
                    write(dir.resolve(p.name()), p.offset(), reader.readFile(p.file()));
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("Cannot fetch the RocksDB checkpoint of key groups " + handle.keyGroupRange() + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while fetching the RocksDB checkpoint of key groups " + handle.keyGroupRange(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += ch.write(buffer, position);
            }
        }
    }
}
