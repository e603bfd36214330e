package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Where each stored file of a native checkpoint goes in a RocksDB directory. A handle maps every
 * stored path to a local file name ({@code local:<path> = <name>}) or, for a deflated piece of an
 * append-only file (a write-ahead log uploaded piece by piece), to the local range it holds
 * ({@code <name>@<offset>+<length>}).
 */
final class CheckpointFiles {

    /** Handle property prefix: the stored path of a file → where it goes in a RocksDB directory. */
    static final String LOCAL_NAME = "local:";

    private CheckpointFiles() {
    }

    /**
     * A stored file's place in a RocksDB directory: all of local file {@code name}, or, if
     * {@code piece}, bytes {@code [offset, offset + length)} of it, stored deflated.
     */
    record Placement(FileRef file, String name, long offset, long length, boolean piece) {
        static Placement whole(FileRef file, String name) {
            return new Placement(file, name, 0, file.size(), false);
        }

        String encoded() {
            return piece ? name + "@" + offset + "+" + length : name;
        }
    }

    /** The placements of every file of {@code handle}; refuses names that would leave the directory. */
    static List<Placement> placements(KeyedStateHandle handle) throws IOException {
        List<Placement> placements = new ArrayList<>();
        for (FileRef file : handle.files()) {
            placements.add(parse(file, handle.properties().get(LOCAL_NAME + file.path())));
        }
        return placements;
    }

    private static Placement parse(FileRef file, String value) throws IOException {
        Placement p = null;
        try {
            int at = value == null ? -1 : value.lastIndexOf('@');
            if (at < 0) {
                p = value == null ? null : Placement.whole(file, value);
            } else {
                int plus = value.indexOf('+', at);
                p = new Placement(file, value.substring(0, at), Long.parseLong(value.substring(at + 1, plus)),
                        Long.parseLong(value.substring(plus + 1)), true);
            }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            // refused below
        }
        if (p == null || p.name().isEmpty() || p.name().contains("/") || p.name().contains("\\") || p.name().startsWith(".")
                || p.offset() < 0 || p.length() < 0) {
            throw new IOException("Snapshot file " + file.path() + " has no valid RocksDB file name in its handle (" + value + ")");
        }
        return p;
    }

    /**
     * Fetches every file of {@code handle} into {@code dir} (each checked against its checksum),
     * several at a time. SST files are never written again, so the reader may link them; the
     * MANIFEST and logs RocksDB may append to are always copies.
     */
    static void fetch(KeyedStateHandle handle, SnapshotReader reader, Path dir) throws IOException {
        List<Callable<Void>> transfers = new ArrayList<>();
        for (Placement p : placements(handle)) {
            transfers.add(() -> {
                if (!p.piece() && p.name().endsWith(".sst")) {
                    reader.placeFile(p.file(), dir.resolve(p.name()));
                } else {
                    byte[] stored = reader.readFile(p.file());
                    write(dir.resolve(p.name()), p.offset(), p.piece() ? inflate(p, stored) : stored);
                }
                return null;
            });
        }
        FileTransfers.run("fetch the RocksDB checkpoint of key groups " + handle.keyGroupRange(), transfers);
    }

    private static byte[] inflate(Placement p, byte[] stored) throws IOException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored);
            byte[] raw = new byte[Math.toIntExact(p.length())];
            int n = 0;
            while (n < raw.length && !inflater.finished()) {
                int got = inflater.inflate(raw, n, raw.length - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != raw.length || !inflater.finished()) {
                throw new CorruptSnapshotException(p.file().path(), "passed its checksum but inflates to " + n + " bytes, not " + p.length(), null);
            }
            return raw;
        } catch (DataFormatException e) {
            throw new CorruptSnapshotException(p.file().path(), "passed its checksum but cannot be inflated: " + e.getMessage(), e);
        } finally {
            inflater.end();
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
