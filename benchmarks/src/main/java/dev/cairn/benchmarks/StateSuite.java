package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The state layer against Flink's backends, forks interleaved: each round runs one fork of every
 * configuration in turn (Cairn, Flink, the floor), three rounds, so a slow minute on a shared
 * machine hits every side. Each fork is its own JMH run on a class path with only its side's
 * RocksDB backend, and carries the load average as it started. Writes {@code benchmarks.json}
 * (heap) and {@code benchmarks-rocksdb.json}: every fork's JMH result.
 */
final class StateSuite {

    static final String HEAP_JSON = "benchmarks.json";
    static final String ROCKSDB_JSON = "benchmarks-rocksdb.json";
    static final int ROUNDS = 3;
    /** The large-state rows: full and incremental snapshot write and restore, in MB/s against the disk. */
    static final int LARGE = 10_000_000;

    private record Config(Class<?> benchmark, String method, String classPath, boolean large, Map<String, String> params) {
    }

    private StateSuite() {
    }

    static void run(boolean quick, boolean heap, boolean rocksDb, Path out) throws Exception {
        if (heap) {
            ShotCpu.reset(); // only the heap's large rows read it
            Files.deleteIfExists(out.resolve(SnapshotSizes.CHECKPOINTS.fileName)); // the forks record this run's sizes
            runRounds(heapConfigs(quick), quick, out, out.resolve(HEAP_JSON));
        }
        if (rocksDb) {
            runRounds(rocksDbConfigs(), quick, out, out.resolve(ROCKSDB_JSON));
        }
    }

    private static List<Config> heapConfigs(boolean quick) {
        String all = System.getProperty("java.class.path");
        List<Config> configs = new ArrayList<>();
        for (String store : List.of(Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.JDK_HASHMAP)) {
            configs.add(new Config(StateAccessBenchmark.class, null, all, false, Map.of("store", store)));
        }
        for (String store : List.of(Stores.CAIRN_HEAP, SnapshotBenchmark.CAIRN_INCREMENTAL, Stores.FLINK_HASHMAP)) {
            configs.add(new Config(SnapshotBenchmark.class, null, all, false, Map.of("store", store)));
        }
        for (String store : List.of(Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP)) {
            configs.add(new Config(RestoreBenchmark.class, "restore", all, false, Map.of("store", store)));
            configs.add(new Config(RestoreBenchmark.class, "restoreAndReadEveryKey", all, false, Map.of("store", store, "rescale", "same")));
        }
        String large = Integer.toString(quick ? 200_000 : LARGE);
        for (String store : List.of(Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP)) {
            configs.add(new Config(SnapshotBenchmark.class, "wholeSnapshot", all, true,
                    Map.of("store", store, "keyCount", large, "changedPercent", "1")));
            // the restore alone: a read of every one of 10M keys adds 7 s a shot, and the 1M-key table has that row
            configs.add(new Config(RestoreBenchmark.class, "restore", all, true, Map.of("store", store, "keyCount", large, "rescale", "same")));
        }
        configs.add(new Config(SnapshotBenchmark.class, "wholeSnapshot", all, true,
                Map.of("store", SnapshotBenchmark.CAIRN_INCREMENTAL, "keyCount", large, "changedPercent", "1")));
        return configs;
    }

    private static List<Config> rocksDbConfigs() {
        String cairn = BenchmarkSuite.cairnRocksDbClassPath();
        String flink = BenchmarkSuite.flinkRocksDbClassPath();
        List<Config> configs = new ArrayList<>();
        configs.add(new Config(StateAccessBenchmark.class, null, cairn, false, Map.of("store", Stores.CAIRN_ROCKSDB)));
        configs.add(new Config(StateAccessBenchmark.class, null, flink, false, Map.of("store", Stores.FLINK_ROCKSDB)));
        configs.add(new Config(StateAccessBenchmark.class, null, cairn, false, Map.of("store", Stores.ROCKSDB_JNI)));
        for (Class<?> benchmark : List.of(SnapshotBenchmark.class, RestoreBenchmark.class)) {
            String method = benchmark == RestoreBenchmark.class ? "restore" : null; // its other row is the heap table's
            configs.add(new Config(benchmark, method, cairn, false, Map.of("store", Stores.CAIRN_ROCKSDB)));
            configs.add(new Config(benchmark, method, flink, false, Map.of("store", Stores.FLINK_ROCKSDB)));
        }
        return configs;
    }

    private static void runRounds(List<Config> configs, boolean quick, Path out, Path json) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode forks = mapper.createArrayNode();
        for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
            for (Config c : configs) {
                if (round > 0 && isFloor(c)) {
                    continue; // a reference, not a side of a ratio: one fork
                }
                String include = "^" + java.util.regex.Pattern.quote(c.benchmark().getName()) + "\\." + (c.method() == null ? "" : c.method() + "$");
                ChainedOptionsBuilder options = new OptionsBuilder().include(include).forks(1)
                        .jvmArgsAppend(c.large() ? "-Xms10g" : "-Xms6g", c.large() ? "-Xmx10g" : "-Xmx6g", "-XX:+AlwaysPreTouch",
                                "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dcairn.results=" + out.toAbsolutePath());
                iterations(options, c, quick);
                c.params().forEach(options::param);
                String store = c.params().get("store");
                if (c.benchmark() == StateAccessBenchmark.class && (Stores.isRocksDb(store) || Stores.ROCKSDB_JNI.equals(store))) {
                    options.exclude("valueUpdateNew"); // a backend storing bytes sees no difference from valueUpdate
                }
                int before = forks.size();
                double load = loadAverage();
                JmhFork.run(c.classPath(), options, out, forks);
                for (int i = before; i < forks.size(); i++) {
                    ((ObjectNode) forks.get(i)).put("loadAverage", load);
                }
            }
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(json.toFile(), forks);
    }

    private static boolean isFloor(Config c) {
        String store = c.params().get("store");
        return Stores.JDK_HASHMAP.equals(store) || Stores.ROCKSDB_JNI.equals(store);
    }

    /**
     * Operations: one 5 s measurement after a 3 s warm-up per fork. Snapshots and restores: at
     * least 10 shots per fork after two warm-up shots (the large ones: one).
     */
    private static void iterations(ChainedOptionsBuilder options, Config c, boolean quick) {
        if (quick) {
            options.warmupIterations(1).measurementIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementTime(TimeValue.milliseconds(200));
            if (!c.large()) {
                options.param("keyCount", "100000");
            }
        } else if (c.benchmark() == StateAccessBenchmark.class) {
            options.warmupIterations(1).warmupTime(TimeValue.seconds(3)).measurementIterations(1).measurementTime(TimeValue.seconds(5));
        } else {
            // no System.gc() between shots: a deployment does not collect before each checkpoint, and a forced full
            // collection slowed both sides' next snapshot by 1.4-2x in single-fork checks
            options.warmupIterations(c.large() ? 1 : 2).measurementIterations(10);
        }
    }

    /** The one-minute load average as the fork starts (Linux), NaN elsewhere. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Each fork's median (iterations or shots) per benchmark, parameters and store, with the load it started under. */
    static List<JsonNode> forks(Path... files) throws java.io.IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (Path file : files) {
            if (Files.exists(file)) {
                new ObjectMapper().readTree(file.toFile()).forEach(nodes::add);
            }
        }
        return nodes;
    }
}
