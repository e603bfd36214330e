package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.NativeFile;
import dev.cairn.spi.snapshot.NativeFilesHandle;
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

        /** The placement in one word, for the local copy's record of what it stands for. */
        String encoded() {
            return piece ? name + "@" + offset + "+" + length : name;
        }

        NativeFile toNativeFile() {
            return piece ? new NativeFile(file, name, offset, length) : NativeFile.whole(file, name);
        }
    }

    /** The placements of every file of {@code handle}; refuses names that would leave the directory. */
    static List<Placement> placements(NativeFilesHandle handle) throws IOException {
        List<Placement> placements = new ArrayList<>();
        for (NativeFile f : handle.files()) {
            Placement p = f.piece() ? new Placement(f.stored(), f.localName(), f.pieceOffset(), f.pieceLength(), true)
                    : Placement.whole(f.stored(), f.localName());
            String name = p.name();
            if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                    || p.offset() < 0 || p.length() < 0) {
                throw new IOException("Snapshot file " + f.stored().path() + " has no valid RocksDB file name in its handle ("
                        + name + ", bytes " + p.offset() + "+" + p.length() + ")");
            }
            placements.add(p);
        }
        return placements;
    }

    /**
     * Fetches every file of {@code handle} into {@code dir} (each checked against its checksum),
     * several at a time. SST files are never written again, so the reader may link them; the
     * MANIFEST and logs RocksDB may append to are always copies.
     */
    static void fetch(NativeFilesHandle handle, SnapshotReader reader, Path dir) throws IOException {
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
