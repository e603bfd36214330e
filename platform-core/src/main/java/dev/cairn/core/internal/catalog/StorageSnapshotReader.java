package dev.cairn.core.internal.catalog;

import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** Reads a snapshot's files and verifies every byte range against its recorded CRC32C first. */
public final class StorageSnapshotReader implements SnapshotReader {

    private final SnapshotStorage storage;
    private final CompletedSnapshot snapshot;

    public StorageSnapshotReader(SnapshotStorage storage, CompletedSnapshot snapshot) {
        this.storage = storage;
        this.snapshot = snapshot;
    }

    @Override
    public byte[] readSection(KeyGroupSection s) throws IOException {
        return read(s.path(), s.offset(), s.length(), s.crc32c(), describe(s));
    }

    /** The most a read allocates before the stored bytes show that more are there. */
    private static final int FIRST_READ = 16 << 20;

    /** Sections of one file less than this apart are fetched in one ranged read, the gap read and dropped. */
    static final long COALESCE_GAP = 256 * 1024;

    @Override
    public List<byte[]> readSections(List<KeyGroupSection> sections) throws IOException {
        byte[][] out = new byte[sections.size()][];
        Map<String, List<Integer>> byFile = new LinkedHashMap<>();
        for (int i = 0; i < sections.size(); i++) {
            byFile.computeIfAbsent(sections.get(i).path(), p -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<String, List<Integer>> file : byFile.entrySet()) {
            if (snapshot.metadata().inlined().containsKey(file.getKey())) {
                for (int i : file.getValue()) {
                    out[i] = readSection(sections.get(i));
                }
                continue;
            }
            List<Integer> order = new ArrayList<>(file.getValue());
            order.sort(Comparator.comparingLong(i -> sections.get(i).offset()));
            int from = 0;
            while (from < order.size()) {
                long start = sections.get(order.get(from)).offset();
                long end = start + sections.get(order.get(from)).length();
                int to = from + 1;
                while (to < order.size() && sections.get(order.get(to)).offset() - end <= COALESCE_GAP
                        && Math.max(end, sections.get(order.get(to)).offset() + sections.get(order.get(to)).length()) - start < Integer.MAX_VALUE - 16) {
                    end = Math.max(end, sections.get(order.get(to)).offset() + sections.get(order.get(to)).length());
                    to++;
                }
                String path = snapshot.resolve(StoragePaths.requireRelative(file.getKey()));
                if (end - start > Integer.MAX_VALUE - 16) {
                    throw new IOException("Section of " + path + " is too large to read at once: " + (end - start) + " bytes");
                }
                byte[] run = readRange(path, start, end - start);
                for (int k = from; k < to; k++) {
                    KeyGroupSection s = sections.get(order.get(k));
                    int at = (int) (s.offset() - start);
                    byte[] bytes = java.util.Arrays.copyOfRange(run, Math.min(at, run.length), (int) Math.min((long) at + s.length(), run.length));
                    out[order.get(k)] = verified(path, bytes, s.length(), s.crc32c(), describe(s));
                }
                from = to;
            }
        }
        return java.util.Arrays.asList(out);
    }

    private static String describe(KeyGroupSection s) {
        return "key group " + s.keyGroup() + " (bytes " + s.offset() + ".." + (s.offset() + s.length()) + ")";
    }

    @Override
    public byte[] readFile(FileRef f) throws IOException {
        return read(f.path(), 0, f.size(), f.crc32c(), "the file");
    }

    /**
     * On local storage the stored file is hard-linked once its checksum passed: a restore needs no
     * second copy on disk. Inlined files, files only partly referenced, and file systems without
     * hard links get a copy.
     */
    @Override
    public void placeFile(FileRef f, Path target) throws IOException {
        byte[] verified = readFile(f);
        if (storage instanceof LocalFileStorage local && !snapshot.metadata().inlined().containsKey(f.path())) {
            Path stored = local.resolve(snapshot.resolve(StoragePaths.requireRelative(f.path())));
            try {
                if (Files.size(stored) == verified.length) {
                    Files.createLink(target, stored);
                    return;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // copied below
            }
        }
        Files.write(target, verified, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private byte[] read(String relative, long offset, long length, long expectedCrc, String what) throws IOException {
        String path = snapshot.resolve(StoragePaths.requireRelative(relative));
        if (length > Integer.MAX_VALUE - 16) {
            throw new IOException("Section of " + path + " is too large to read at once: " + length + " bytes");
        }
        byte[] bytes;
        byte[] inlined = snapshot.metadata().inlined().get(relative);
        if (inlined != null) {
            bytes = java.util.Arrays.copyOfRange(inlined, (int) Math.min(offset, inlined.length), (int) Math.min(offset + length, inlined.length));
        } else {
            bytes = readRange(path, offset, length);
        }
        return verified(path, bytes, length, expectedCrc, what);
    }

    private byte[] readRange(String path, long offset, long length) throws IOException {
        try (InputStream in = storage.openRange(path, offset, length)) {
            // into an array of the expected size (readNBytes(int) reads 8 KiB pieces and copies them together), but
            // no more than the stored bytes prove needed: a damaged length must not take the heap
            int expected = (int) length;
            byte[] bytes = new byte[Math.min(expected, FIRST_READ)];
            int read = in.readNBytes(bytes, 0, bytes.length);
            while (read == bytes.length && read < expected) {
                bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(expected, 2L * read));
                read += in.readNBytes(bytes, read, bytes.length - read);
            }
            return read == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, read);
        } catch (NoSuchFileException e) {
            throw new CorruptSnapshotException(path, "it is missing (referenced by " + snapshot.metadataPath() + ")", e);
        }
    }

    private static byte[] verified(String path, byte[] bytes, long length, long expectedCrc, String what) throws IOException {
        if (bytes.length != length) {
            throw new CorruptSnapshotException(path, what + " is truncated: expected " + length + " bytes, found " + bytes.length, null);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if (crc.getValue() != expectedCrc) {
            throw new CorruptSnapshotException(path, expectedCrc, crc.getValue(), what);
        }
        return bytes;
    }
}
