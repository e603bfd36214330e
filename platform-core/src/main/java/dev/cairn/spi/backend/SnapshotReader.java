package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the files of the snapshot being restored. Every read is verified against its recorded
 * CRC32C before any byte is handed out; a mismatch throws
 * {@link dev.cairn.spi.snapshot.CorruptSnapshotException} naming the file.
 */
@ProviderType
public interface SnapshotReader {
    byte[] readSection(KeyGroupSection section) throws IOException;

    byte[] readFile(FileRef file) throws IOException;

    /**
     * Puts the verified content of {@code file} at {@code target}, which must not exist yet.
     * Snapshots on the local disk may be hard-linked rather than copied, so the caller must never
     * write to {@code target}: it may be the stored file itself (deleting it is fine).
     */
    default void placeFile(FileRef file, Path target) throws IOException {
        Files.write(target, readFile(file), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
