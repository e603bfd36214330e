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
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The end-to-end pipeline ({@link PipelineBenchmark}) on Cairn and on Flink, forks interleaved:
 * each round runs one fork of every configuration in turn, three rounds. Writes
 * {@code pipeline.json} (the forks' JMH results), {@code pipeline-cpu.tsv} (CPU and load per
 * measured job) and {@code pipeline.md}.
 */
final class PipelineSuite {

    static final String JSON = "pipeline.json";
    private static final int ROUNDS = 3;

    private record Config(String side, String backend, long records, String classPath) {
    }

    private PipelineSuite() {
    }

    static String run(boolean quick, Path out) throws Exception {
        long heapRecords = quick ? 2_000_000 : 20_000_000;
        // RocksDB runs are about five times slower: fewer records keep the run under a quarter of an hour
        long rocksRecords = quick ? 1_000_000 : 5_000_000;
        List<Config> configs = List.of(
                new Config("cairn", "heap", heapRecords, BenchmarkSuite.cairnRocksDbClassPath()),
                new Config("flink", "heap", heapRecords, BenchmarkSuite.flinkRocksDbClassPath()),
                new Config("cairn", "rocksdb", rocksRecords, BenchmarkSuite.cairnRocksDbClassPath()),
                new Config("flink", "rocksdb", rocksRecords, BenchmarkSuite.flinkRocksDbClassPath()));
        Files.deleteIfExists(out.resolve(PipelineBenchmark.CPU_FILE));
        ObjectMapper json = new ObjectMapper();
        ArrayNode forks = json.createArrayNode();
        for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
            for (Config c : configs) {
                JmhFork.run(c.classPath(), new OptionsBuilder()
                        .include("^" + java.util.regex.Pattern.quote(PipelineBenchmark.class.getName()) + "\\.").forks(1)
                        .warmupIterations(1).measurementIterations(quick ? 1 : 2)
                        .param("side", c.side()).param("backend", c.backend()).param("records", Long.toString(c.records()))
                        .jvmArgsAppend("-Dcairn.results=" + out.toAbsolutePath()), out, forks);
            }
        }
        json.writerWithDefaultPrettyPrinter().writeValue(out.resolve(JSON).toFile(), forks);
        return report(out);
    }

    /** The table, from the JSON and CPU file of the last run. */
    static String report(Path out) throws Exception {
        Map<String, List<Double>> perSecond = new LinkedHashMap<>(); // side|backend -> each fork's median records/s
        Map<String, Long> records = new LinkedHashMap<>();
        for (JsonNode fork : new ObjectMapper().readTree(out.resolve(JSON).toFile())) {
            JsonNode params = fork.path("params");
            String key = params.path("side").asText() + "|" + params.path("backend").asText();
            long n = params.path("records").asLong();
            records.put(key, n);
            List<Double> rates = new ArrayList<>();
            fork.path("primaryMetric").path("rawData").path(0).forEach(ms -> rates.add(n / (ms.asDouble() / 1000)));
            perSecond.computeIfAbsent(key, k -> new ArrayList<>()).add(SavepointSuite.median(rates));
        }
        Map<String, List<Double>> cpuPerRecord = new LinkedHashMap<>();
        List<Double> loads = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(PipelineBenchmark.CPU_FILE))) {
            String[] f = line.split("\t");
            cpuPerRecord.computeIfAbsent(f[0] + "|" + f[1], k -> new ArrayList<>()).add(Long.parseLong(f[4]) / 1000.0 / Long.parseLong(f[2]));
            loads.add(Double.parseDouble(f[6]));
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, `-Xmx4g` per fork, Apache Flink 2.3.0 on a MiniCluster;"
                        + " %d rounds, each one fork of every configuration in turn (one warm-up job, then measured jobs); median of the"
                        + " forks' medians, the forks' range in brackets. Load average as each measured job began: %.1f–%.1f.%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                perSecond.values().stream().mapToInt(List::size).max().orElse(0),
                loads.stream().mapToDouble(d -> d).min().orElse(0), loads.stream().mapToDouble(d -> d).max().orElse(0)));
        md.append("**End-to-end pipeline**: numbers keyed by `x % 1,000,000`, a `ValueState<Long>` count per key, a discarding sink,"
                + " parallelism 2, aligned checkpoints every second (RocksDB: incremental on both sides)\n\n");
        md.append("| backend | records | Cairn records/s | Flink records/s | Cairn / Flink | CPU per record: Cairn | Flink |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (String backend : List.of("heap", "rocksdb")) {
            List<Double> cairn = perSecond.getOrDefault("cairn|" + backend, List.of());
            List<Double> flink = perSecond.getOrDefault("flink|" + backend, List.of());
            if (cairn.isEmpty() || flink.isEmpty()) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %.2f× | %.2f µs | %.2f µs |%n",
                    backend.equals("heap") ? "heap" : "RocksDB", records.get("cairn|" + backend), rate(cairn), rate(flink),
                    SavepointSuite.median(cairn) / SavepointSuite.median(flink),
                    SavepointSuite.median(cpuPerRecord.get("cairn|" + backend)), SavepointSuite.median(cpuPerRecord.get("flink|" + backend))));
        }
        return md.toString();
    }

    private static String rate(List<Double> forks) {
        return String.format(Locale.ROOT, "%,.0fk [%,.0f–%,.0f]", SavepointSuite.median(forks) / 1000,
                forks.stream().mapToDouble(d -> d).min().orElse(0) / 1000, forks.stream().mapToDouble(d -> d).max().orElse(0) / 1000);
    }
}
