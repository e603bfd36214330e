package dev.cairn.tools.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** A temporary directory a verb works in (a restored backend, an intermediate savepoint), deleted when it closes. */
final class ScratchDirectory implements AutoCloseable {

    /** Directories not closed yet: an interrupted run (Ctrl-C) removes them on its way out. */
    private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(ScratchDirectory::delete), "cairn-state-scratch-cleanup"));
    }

    private final Path path;

    ScratchDirectory(String prefix) throws IOException {
        this.path = Files.createTempDirectory(prefix);
        OPEN.add(path);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        delete(path);
        OPEN.remove(path);
    }

    /** Deletes {@code dir} and what it holds, as far as it can: what is left in the temporary directory is harmless. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // see above
        }
    }
}
