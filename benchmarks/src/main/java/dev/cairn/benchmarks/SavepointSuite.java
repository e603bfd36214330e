package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Canonical savepoints and rescales against Flink 2.3, forks interleaved: every round runs one
 * fork of each Cairn and Flink configuration in turn, so a slow minute on a shared machine hits
 * both sides. Each fork is its own JMH run with a class path holding only its own side's
 * backends. Writes {@code savepoints.json} (the forks' JMH
 * results), {@code savepoint-bytes.properties} and {@code savepoints.md}.
 */
final class SavepointSuite {

    static final String JSON = "savepoints.json";
    private static final int ROUNDS = 3;

    private record Config(String benchmark, String classPath, Map<String, String> params) {
    }

    private SavepointSuite() {
    }

    /**
     * @param keep {@code "savepoints"} or {@code "rescales"}: report that table's rows of the previous
     *             run instead of measuring them again; {@code null} measures both
     */
    static String run(boolean quick, String keep, Path out) throws Exception {
        // the savepoint rows' shares of the disk come from the disk measured in their own run
        DiskBandwidth bandwidth = "savepoints".equals(keep) ? DiskBandwidth.load(out, DiskBandwidth.SAVEPOINT_RUN) : DiskBandwidth.measure(quick);
        int small = quick ? 100_000 : 1_000_000;
        int large = quick ? 200_000 : 10_000_000;
        ObjectMapper json = new ObjectMapper();
        ArrayNode forks = json.createArrayNode();
        Class<?> kept = "savepoints".equals(keep) ? SavepointBenchmark.class : "rescales".equals(keep) ? RescaleBenchmark.class : null;
        if (kept != null) {
            for (JsonNode fork : json.readTree(out.resolve(JSON).toFile())) {
                if (fork.path("benchmark").asText().startsWith(kept.getName() + ".")) {
                    forks.add(fork);
                }
            }
        } else {
            Files.deleteIfExists(out.resolve(SnapshotSizes.SAVEPOINTS.fileName)); // the forks record this run's sizes
        }
        if (kept != SavepointBenchmark.class) {
            for (int keys : List.of(small, large)) {
                runRounds(configs(keys, keys == small), quick, keys == large, out, forks);
            }
        }
        if (kept != RescaleBenchmark.class) {
            runRounds(rescales(large), quick, true, out, forks);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(out.resolve(JSON).toFile(), forks);
        bandwidth.save(out, DiskBandwidth.SAVEPOINT_RUN);
        return report(out, bandwidth);
    }

    /** Canonical savepoint write and restore, heap and RocksDB; the codec trade-off at the smaller size. */
    private static List<Config> configs(int keys, boolean bothCodecs) {
        String all = System.getProperty("java.class.path");
        List<Config> configs = new ArrayList<>();
        for (String codec : bothCodecs ? List.of("lz4", "none") : List.of("lz4")) {
            configs.add(savepoint(all, Stores.CAIRN_HEAP, codec, keys));
        }
        configs.add(savepoint(all, Stores.FLINK_HASHMAP, "none", keys));
        for (String codec : bothCodecs ? List.of("lz4", "none") : List.of("lz4")) {
            configs.add(savepoint(BenchmarkSuite.cairnRocksDbClassPath(), Stores.CAIRN_ROCKSDB, codec, keys));
        }
        configs.add(savepoint(BenchmarkSuite.flinkRocksDbClassPath(), Stores.FLINK_ROCKSDB, "none", keys));
        return configs;
    }

    private static Config savepoint(String classPath, String store, String codec, int keys) {
        return new Config(SavepointBenchmark.class.getName(), classPath,
                Map.of("store", store, "compression", codec, "keyCount", Integer.toString(keys)));
    }

    /**
     * Cairn stops with a native incremental checkpoint; Flink with a canonical (its default) or native
     * savepoint, or rescales from an incremental checkpoint (as its adaptive scheduler does).
     */
    private static List<Config> rescales(int keys) {
        List<Config> configs = new ArrayList<>();
        configs.add(rescale(BenchmarkSuite.cairnRocksDbClassPath(), Stores.CAIRN_ROCKSDB, "checkpoint", keys));
        configs.add(rescale(BenchmarkSuite.flinkRocksDbClassPath(), Stores.FLINK_ROCKSDB, "checkpoint", keys));
        configs.add(rescale(BenchmarkSuite.flinkRocksDbClassPath(), Stores.FLINK_ROCKSDB, "canonical", keys));
        configs.add(rescale(BenchmarkSuite.flinkRocksDbClassPath(), Stores.FLINK_ROCKSDB, "native", keys));
        return configs;
    }

    private static Config rescale(String classPath, String store, String handover, int keys) {
        return new Config(RescaleBenchmark.class.getName(), classPath,
                Map.of("store", store, "handover", handover, "keyCount", Integer.toString(keys)));
    }

    private static void runRounds(List<Config> configs, boolean quick, boolean large, Path out, ArrayNode forks) throws Exception {
        for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
            for (Config config : configs) {
                ChainedOptionsBuilder options = new OptionsBuilder()
                        .include("^" + java.util.regex.Pattern.quote(config.benchmark()) + "\\.").forks(1)
                        .warmupIterations(quick || large ? 0 : 2).measurementIterations(quick ? 1 : large ? 2 : 5)
                        .shouldDoGC(true) // a collection between iterations rather than inside a single-shot measurement
                        .jvmArgsAppend("-Xms10g", "-Xmx10g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED",
                                "-Dcairn.results=" + out.toAbsolutePath());
                config.params().forEach(options::param);
                JmhFork.run(config.classPath(), options, out, forks);
            }
        }
    }

    /** The tables, from the JSON and sizes of the last run. */
    static String report(Path out, DiskBandwidth disk) throws Exception {
        Map<String, List<Double>> forkMedians = new LinkedHashMap<>();
        for (JsonNode fork : new ObjectMapper().readTree(out.resolve(JSON).toFile())) {
            JsonNode params = fork.path("params");
            List<Double> iterations = new ArrayList<>();
            fork.path("primaryMetric").path("rawData").path(0).forEach(v -> iterations.add(v.asDouble()));
            String method = fork.get("benchmark").asText().replaceAll(".*\\.", "");
            forkMedians.computeIfAbsent(key(method, params.path("store").asText(),
                    params.has("handover") ? params.path("handover").asText() : params.path("compression").asText(),
                    params.path("keyCount").asInt()), k -> new ArrayList<>()).add(median(iterations));
        }
        return new SavepointReport(forkMedians, disk).markdown(LocalDate.now().toString());
    }

    static String key(String method, String store, String variant, int keys) {
        return method + "|" + store + "|" + variant + "|" + keys;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }
}
