package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
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
     * The bytes of each of {@code sections}, in the order given, each verified. A reader may
     * fetch neighbouring sections of one file in one request (a log of many small sections
     * would otherwise cost one request each).
     *
     * @since 1.2
     */
    default List<byte[]> readSections(List<KeyGroupSection> sections) throws IOException {
        List<byte[]> out = new ArrayList<>(sections.size());
        for (KeyGroupSection s : sections) {
            out.add(readSection(s));
        }
        return out;
    }

    /**
     * Puts the verified content of {@code file} at {@code target}, which must not exist yet.
     * Snapshots on the local disk may be hard-linked rather than copied, so the caller must never
     * write to {@code target}: it may be the stored file itself (deleting it is fine).
     */
    default void placeFile(FileRef file, Path target) throws IOException {
        Files.write(target, readFile(file), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
}
