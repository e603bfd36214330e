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
        return read(s.path(), s.offset(), s.length(), s.crc32c(), "key group " + s.keyGroup() + " (bytes " + s.offset() + ".." + (s.offset() + s.length()) + ")");
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
            try (InputStream in = storage.openRange(path, offset, length)) {
                bytes = in.readNBytes((int) length);
            } catch (NoSuchFileException e) {
                throw new CorruptSnapshotException(path, "it is missing (referenced by " + snapshot.metadataPath() + ")", e);
            }
        }
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
