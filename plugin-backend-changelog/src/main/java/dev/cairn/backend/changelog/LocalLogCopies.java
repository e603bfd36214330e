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
 * Local recovery of a subtask's log: a copy of what it uploaded in the subtask's working
 * directory, which outlives a failed attempt on this platform, one file per upload (the
 * subtask's sections lie together in the uploaded file, so the copy is that byte range). A
 * restore after a task failure reads a section from here when the copy's bytes match the
 * section's recorded length and CRC32C, and from storage otherwise; a copy goes when its file is
 * released.
 */
final class LocalLogCopies {
    private static final Logger LOG = Logger.getLogger(LocalLogCopies.class.getName());

    /** A copy of bytes {@code start..end} of an uploaded file. */
    private record Copy(Path path, long start, long end) {
    }

    private final Path directory;
    private final Map<String, List<Path>> byFile = new ConcurrentHashMap<>();

    LocalLogCopies(Path directory) {
        this.directory = directory;
    }

    private static String prefix(String uploadedPath) {
        return Integer.toHexString(uploadedPath.hashCode()) + "-";
    }

    /**
     * Keeps {@code bytes}, the content of {@code sections} (consecutive in their file, in order);
     * a failure only costs the copy.
     */
    void keep(List<KeyGroupSection> sections, byte[] bytes, int length) {
        if (sections.isEmpty()) {
            return;
        }
        KeyGroupSection first = sections.get(0);
        try {
            Files.createDirectories(directory);
            Path copy = directory.resolve(prefix(first.path()) + first.offset() + "-" + (first.offset() + length));
            try (java.io.OutputStream out = Files.newOutputStream(copy)) {
                out.write(bytes, 0, length);
            }
            byFile.computeIfAbsent(first.path(), p -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(copy);
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.FINE, "No local copy of a changelog upload to " + first.path(), e);
        }
    }

    /** The sections' bytes, in order: from the local copy where it is intact, the rest from storage in as few reads as it can. */
    List<byte[]> read(List<KeyGroupSection> sections, SnapshotReader storage) throws IOException {
        byte[][] out = new byte[sections.size()][];
        Map<String, List<Copy>> copies = copiesOnDisk();
        Map<Path, byte[]> contents = new java.util.HashMap<>();
        List<Integer> remote = new ArrayList<>();
        for (int i = 0; i < sections.size(); i++) {
            out[i] = localCopy(sections.get(i), copies, contents);
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

    /** The copies in the directory by the prefix of the file they copy. */
    private Map<String, List<Copy>> copiesOnDisk() {
        Map<String, List<Copy>> found = new java.util.HashMap<>();
        if (!Files.isDirectory(directory)) {
            return found;
        }
        try (var files = Files.list(directory)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String[] parts = p.getFileName().toString().split("-");
                if (parts.length == 3) {
                    try {
                        found.computeIfAbsent(parts[0] + "-", k -> new ArrayList<>())
                                .add(new Copy(p, Long.parseLong(parts[1]), Long.parseLong(parts[2])));
                    } catch (NumberFormatException e) {
                        // not a copy
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.FINE, "Could not list the local copies in " + directory + "; the log comes from storage", e);
            found.clear();
        }
        return found;
    }

    private byte[] localCopy(KeyGroupSection section, Map<String, List<Copy>> copies, Map<Path, byte[]> contents) {
        for (Copy c : copies.getOrDefault(prefix(section.path()), List.of())) {
            if (section.offset() < c.start() || section.offset() + section.length() > c.end()) {
                continue;
            }
            try {
                byte[] all = contents.computeIfAbsent(c.path(), p -> {
                    try {
                        return Files.readAllBytes(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                int from = (int) (section.offset() - c.start());
                if (from + section.length() > all.length) {
                    continue;
                }
                byte[] bytes = java.util.Arrays.copyOfRange(all, from, from + (int) section.length());
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                if (crc.getValue() == section.crc32c()) {
                    // this attempt releases the copy with the file, like the ones it writes
                    List<Path> known = byFile.computeIfAbsent(section.path(), p -> new java.util.concurrent.CopyOnWriteArrayList<>());
                    if (!known.contains(c.path())) {
                        known.add(c.path());
                    }
                    return bytes;
                }
                LOG.warning("The local copy " + c.path() + " of a changelog section of " + section.path() + " is damaged (CRC32C "
                        + Long.toHexString(crc.getValue()) + ", expected " + Long.toHexString(section.crc32c()) + "); reading it from storage");
            } catch (UncheckedIOException e) {
                LOG.log(Level.FINE, "Could not read the local copy " + c.path(), e);
            }
        }
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
