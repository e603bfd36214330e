package dev.cairn.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The bytes of each savepoint the benchmark forks wrote, kept beside the results (a fork is
 * another JVM): what MB/s is computed from. Sizes do not depend on timing.
 */
final class SavepointSizes {

    static final String FILE = "savepoint-bytes.properties";

    private SavepointSizes() {
    }

    static Path file() {
        return Path.of(System.getProperty("cairn.results", "results")).resolve(FILE);
    }

    static synchronized void record(String store, String compression, int keyCount, long bytes) throws IOException {
        Properties sizes = load();
        sizes.setProperty(key(store, compression, keyCount), Long.toString(bytes));
        Path tmp = file().resolveSibling(FILE + ".tmp");
        Files.createDirectories(tmp.getParent());
        try (Writer w = Files.newBufferedWriter(tmp)) {
            sizes.store(w, "bytes per canonical savepoint");
        }
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static long bytes(String store, String compression, int keyCount) throws IOException {
        String value = load().getProperty(key(store, compression, keyCount));
        return value == null ? -1 : Long.parseLong(value);
    }

    private static Properties load() throws IOException {
        Properties sizes = new Properties();
        if (Files.exists(file())) {
            try (Reader r = Files.newBufferedReader(file())) {
                sizes.load(r);
            }
        }
        return sizes;
    }

    private static String key(String store, String compression, int keyCount) {
        return store + "." + compression + "." + keyCount;
    }
}
