package dev.cairn.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The bytes of each snapshot the benchmark forks wrote, kept beside the results (a fork is
 * another JVM): what MB/s is computed from. Sizes do not depend on timing. One file per suite,
 * since each suite starts its file afresh.
 */
final class SnapshotSizes {

    static final SnapshotSizes SAVEPOINTS = new SnapshotSizes("savepoint-bytes.properties");
    static final SnapshotSizes CHECKPOINTS = new SnapshotSizes("checkpoint-bytes.properties");

    final String fileName;

    private SnapshotSizes(String fileName) {
        this.fileName = fileName;
    }

    private Path file() {
        return Path.of(System.getProperty("cairn.results", "results")).resolve(fileName);
    }

    synchronized void record(String store, String variant, int keyCount, long bytes) throws IOException {
        Properties sizes = load();
        sizes.setProperty(key(store, variant, keyCount), Long.toString(bytes));
        Path tmp = file().resolveSibling(fileName + ".tmp");
        Files.createDirectories(tmp.getParent());
        try (Writer w = Files.newBufferedWriter(tmp)) {
            sizes.store(w, "bytes per snapshot");
        }
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** -1 when no fork recorded it. */
    long bytes(String store, String variant, int keyCount) throws IOException {
        String value = load().getProperty(key(store, variant, keyCount));
        return value == null ? -1 : Long.parseLong(value);
    }

    private Properties load() throws IOException {
        Properties sizes = new Properties();
        if (Files.exists(file())) {
            try (Reader r = Files.newBufferedReader(file())) {
                sizes.load(r);
            }
        }
        return sizes;
    }

    private static String key(String store, String variant, int keyCount) {
        return store + "." + variant + "." + keyCount;
    }
}
