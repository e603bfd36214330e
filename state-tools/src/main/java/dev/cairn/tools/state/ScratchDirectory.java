package dev.cairn.tools.state;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary directory a verb works in (a restored backend, an intermediate savepoint), deleted when it closes. */
final class ScratchDirectory implements AutoCloseable {

    private final Path path;

    ScratchDirectory(String prefix) throws IOException {
        this.path = Files.createTempDirectory(prefix);
        // an interrupted run (Ctrl-C) still removes it
        this.path.toFile().deleteOnExit();
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        delete(path);
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
