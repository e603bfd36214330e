package dev.cairn.backend.changelog;

import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * Local recovery of a subtask's log: a copy of each of its uploaded sections in the subtask's
 * working directory, which outlives a failed attempt on this platform. A restore after a task
 * failure reads a section from here when the copy matches the section's recorded length and
 * CRC32C, and from storage otherwise; a copy goes when its file is released.
 */
final class LocalLogCopies {
    private static final Logger LOG = Logger.getLogger(LocalLogCopies.class.getName());

    private final Path directory;
    private final Map<String, List<Path>> byFile = new ConcurrentHashMap<>();

    LocalLogCopies(Path directory) {
        this.directory = directory;
    }

    private Path copyOf(KeyGroupSection s) {
        return directory.resolve(Integer.toHexString(s.path().hashCode()) + "-" + s.offset() + "-" + s.length() + "-"
                + Long.toHexString(s.crc32c()));
    }

    /** Keeps the content of {@code section}, its header then its records; a failure only costs the copy. */
    void keep(KeyGroupSection section, byte[] header, int headerLength, byte[] records, int recordsLength) {
        try {
            Files.createDirectories(directory);
            Path copy = copyOf(section);
            try (java.io.OutputStream out = Files.newOutputStream(copy)) {
                out.write(header, 0, headerLength);
                out.write(records, 0, recordsLength);
            }
            byFile.computeIfAbsent(section.path(), p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(copy);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.FINE, "No local copy of a changelog section of " + section.path(), e);
        }
    }

    /** The sections' bytes, in order: from the local copy where it is intact, the rest from storage in as few reads as it can. */
    List<byte[]> read(List<KeyGroupSection> sections, SnapshotReader storage) throws IOException {
        byte[][] out = new byte[sections.size()][];
        List<Integer> remote = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            out[i] = localCopy(sections.get(i));
            if (out[i] == null) {
                remote.add(i);
            }
        }
        if (!remote.isEmpty()) {
            List<byte[]> fetched = storage.readSections(remote.stream().map(sections::get).toList());
            for (int k = 0; k < remote.size(); k++) {
                out[remote.get(k)] = fetched.get(k);
            }
        }
        return java.util.Arrays.asList(out);
    }

    private byte[] localCopy(KeyGroupSection section) throws IOException {
        Path copy = copyOf(section);
        if (!Files.isRegularFile(copy)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(copy);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        if (bytes.length == section.length() && crc.getValue() == section.crc32c()) {
            return bytes;
        }
        LOG.warning("The local copy of a changelog section of " + section.path() + " is damaged (CRC32C "
                + Long.toHexString(crc.getValue()) + ", expected " + Long.toHexString(section.crc32c()) + "); reading it from storage");
        return null;
    }

    /** The copies of sections in these files go. */
    void released(List<FileRef> files) {
        List<Path> gone = new ArrayList<>();
        for (FileRef f : files) {
            List<Path> copies = byFile.remove(f.path());
            if (copies != null) {
                gone.addAll(copies);
            }
        }
        for (Path p : gone) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(Level.FINE, "Could not delete " + p, e);
            }
        }
    }
}
