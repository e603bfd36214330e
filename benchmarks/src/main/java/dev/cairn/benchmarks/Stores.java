package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/** Creates the stores compared in every benchmark, by name. */
final class Stores {

    static final String CAIRN_HEAP = "cairn-heap";
    static final String FLINK_HASHMAP = "flink-hashmap";
    static final String JDK_HASHMAP = "jdk-hashmap";
    static final String CAIRN_ROCKSDB = "cairn-rocksdb";
    static final String FLINK_ROCKSDB = "flink-rocksdb";
    static final String ROCKSDB_JNI = "rocksdb-jni";
    static final String CAIRN_OFFHEAP = "cairn-offheap";

    private Stores() {
    }

    static StateStore create(String name, Path workDir) throws Exception {
        return create(name, workDir, 0, 1);
    }

    /** The store of subtask {@code index} of {@code parallelism}: it owns that subtask's key groups. */
    static StateStore create(String name, Path workDir, int index, int parallelism) throws Exception {
        Files.createDirectories(workDir);
        return switch (name) {
            case CAIRN_HEAP -> CairnStore.heap(workDir, index, parallelism);
            case FLINK_HASHMAP -> FlinkStore.hashMap(workDir, index, parallelism);
            case JDK_HASHMAP -> new JdkMapStore();
            case CAIRN_ROCKSDB -> CairnStore.rocksDb(workDir, index, parallelism);
            case FLINK_ROCKSDB -> FlinkStore.rocksDb(workDir, index, parallelism);
            case ROCKSDB_JNI -> new RocksJniStore(workDir);
            case CAIRN_OFFHEAP -> CairnStore.offHeap(workDir, index, parallelism);
            default -> throw new IllegalArgumentException("No store named " + name);
        };
    }

    /** RocksDB stores take incremental checkpoints, as they are run in production. */
    static boolean isRocksDb(String name) {
        return name.equals(CAIRN_ROCKSDB) || name.equals(FLINK_ROCKSDB);
    }

    static String value(long key) {
        return "value-" + key;
    }

    static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Bytes in files under {@code dir}: what snapshots wrote. */
    static long bytesUnder(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
