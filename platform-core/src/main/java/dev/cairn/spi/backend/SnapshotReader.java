package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;

/**
 * Reads the files of the snapshot being restored. Every read is verified against its recorded
 * CRC32C before any byte is handed out; a mismatch throws
 * {@link dev.cairn.spi.snapshot.CorruptSnapshotException} naming the file.
 */
public interface SnapshotReader {
    byte[] readSection(KeyGroupSection section) throws IOException;

    byte[] readFile(FileRef file) throws IOException;
}
