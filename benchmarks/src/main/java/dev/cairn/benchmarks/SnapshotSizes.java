package dev.cairn.benchmarks;

import java.io.IOException;

/**
 * The bytes of each snapshot the benchmark forks wrote, kept beside the results: what MB/s is
 * computed from. Sizes do not depend on timing. One file per suite, since each suite starts its
 * file afresh.
 */
final class SnapshotSizes {

    static final SnapshotSizes SAVEPOINTS = new SnapshotSizes("savepoint-bytes.properties");
    static final SnapshotSizes CHECKPOINTS = new SnapshotSizes("checkpoint-bytes.properties");

    final String fileName;
    private final ResultProperties file;

    private SnapshotSizes(String fileName) {
        this.fileName = fileName;
        this.file = new ResultProperties(fileName, "bytes per snapshot");
    }

    void record(String store, String variant, int keyCount, long bytes) throws IOException {
        file.update(sizes -> sizes.setProperty(key(store, variant, keyCount), Long.toString(bytes)));
    }

    /** -1 when no fork recorded it. */
    long bytes(String store, String variant, int keyCount) throws IOException {
        String value = file.load().getProperty(key(store, variant, keyCount));
        return value == null ? -1 : Long.parseLong(value);
    }

    private static String key(String store, String variant, int keyCount) {
        return store + "." + variant + "." + keyCount;
    }
}
