package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The off-heap backend against Flink's RocksDB and HashMap backends and Cairn's heap backend, at
 * 1M and 10M keys, every row from one run: three rounds, each one fork of every store in turn.
 * State operations are JMH forks of {@link StateAccessBenchmark}; memory per entry, collector
 * pauses while the state grows, checkpoints and restores are {@link OffHeapRun} forks. Forks of
 * Flink's RocksDB backend run without Cairn's, the offheap backend's without Flink's RocksDB. Writes
 * {@code offheap-ops.json}, {@code offheap.jsonl} and {@code offheap.md}.
 */
final class OffHeapSuite {

    static final List<String> STORES = List.of(Stores.CAIRN_OFFHEAP, Stores.FLINK_ROCKSDB, Stores.FLINK_HASHMAP, Stores.CAIRN_HEAP);
    private static final List<String> OPERATIONS = List.of("valueGet", "valueUpdate", "mapGet", "mapPut", "listAdd");
    /** At 10M keys: point reads and writes only (each fork loads the 10M keys first). */
    private static final List<String> LARGE_OPERATIONS = List.of("valueGet", "valueUpdate");
    private static final int[] KEYS = {1_000_000, 10_000_000};
    private static final int ROUNDS = 3;
    private static final String OPS_JSON = "offheap-ops.json";
    private static final String RUNS_JSON = "offheap.jsonl";

    private OffHeapSuite() {
    }

    private static String classPath(String store) {
        return switch (store) {
            case Stores.FLINK_ROCKSDB -> BenchmarkSuite.flinkRocksDbClassPath();
            case Stores.CAIRN_OFFHEAP -> BenchmarkSuite.cairnRocksDbClassPath();
            default -> System.getProperty("java.class.path"); // the heap stores, as in the main suite
        };
    }

    /** The JVM options of every fork: the heap pre-touched, and the options the platform starts with (Chronicle's). */
    private static List<String> jvmOptions(int keys) throws Exception {
        String heap = keys > 1_000_000 ? "10g" : "6g";
        List<String> options = new ArrayList<>(List.of("-Xms" + heap, "-Xmx" + heap, "-XX:+AlwaysPreTouch"));
        for (String line : Files.readAllLines(jvmOptionsFile())) {
            if (!line.isBlank() && !line.startsWith("#")) {
                options.add(line.trim());
            }
        }
        return options;
    }

    private static Path jvmOptionsFile() {
        Path file = Path.of(System.getProperty("cairn.jvm-options", "../distribution/src/main/dist/conf/jvm.options"));
        if (!Files.exists(file)) {
            throw new IllegalStateException("No JVM options file at " + file.toAbsolutePath() + " (set -Dcairn.jvm-options)");
        }
        return file;
    }

    static String run(boolean quick, Path out) throws Exception {
        Path runs = out.resolve(RUNS_JSON);
        Files.deleteIfExists(runs);
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode ops = mapper.createArrayNode();
        int[] sizes = quick ? new int[] {100_000} : KEYS;
        for (int keys : sizes) {
            for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
                for (String store : STORES) {
                    runFork(store, keys, runs, quick);
                }
                for (String op : keys > 1_000_000 ? LARGE_OPERATIONS : OPERATIONS) {
                    for (String store : STORES) {
                        if (keys > 1_000_000 && store.equals(Stores.CAIRN_HEAP)) {
                            continue; // Cairn's heap at 10M keys: memory, pauses, checkpoints and restores only
                        }
                        opsFork(store, op, keys, quick, out, ops);
                    }
                }
            }
        }
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.resolve(OPS_JSON).toFile(), ops);
        return report(out);
    }

    private static void runFork(String store, int keys, Path runs, boolean quick) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions(keys));
        int restores = keys > 1_000_000 ? 5 : 10;
        command.addAll(List.of("-cp", classPath(store), OffHeapRun.class.getName(), store, Integer.toString(keys),
                runs.toAbsolutePath().toString(), quick ? "2" : "10", quick ? "1" : Integer.toString(restores)));
        System.out.println("# " + store + ", " + keys + " keys");
        Path log = runs.resolveSibling("offheap-forks.log");
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("The fork of " + store + " at " + keys + " keys failed (exit " + p.exitValue() + "): see " + log);
        }
    }

    private static void opsFork(String store, String op, int keys, boolean quick, Path out, ArrayNode ops) throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include("^" + StateAccessBenchmark.class.getName().replace(".", "\\.") + "\\." + op + "$").forks(1)
                .jvmArgsAppend(jvmOptions(keys).toArray(String[]::new)) // instead of the annotation's: the heap size
                .param("store", store).param("keys", "uniform").param("keyCount", Integer.toString(keys))
                .warmupIterations(1).warmupTime(TimeValue.seconds(quick ? 1 : 3))
                .measurementIterations(1).measurementTime(TimeValue.seconds(quick ? 1 : 5));
        int before = ops.size();
        double load = StateSuite.loadAverage();
        JmhFork.run(classPath(store), options, out, ops);
        for (int i = before; i < ops.size(); i++) {
            ((ObjectNode) ops.get(i)).put("loadAverage", load);
        }
    }

    // ---- report

    private record Run(String store, int keys, List<Double> pauses, double heap, double nativeResident, double files,
                       double sync, double snapshot, long checkpointBytes, double restore, double load,
                       double incrementalSync, double incremental, long incrementalBytes) {

        static Run of(JsonNode n) {
            return new Run(n.path("store").asText(), n.path("keys").asInt(), doubles(n.path("loadPausesMs")),
                    n.path("heapBytesPerEntry").asDouble(), n.path("nativeResidentBytesPerEntry").asDouble(),
                    n.path("fileBytesPerEntry").asDouble(), SavepointSuite.median(doubles(n.path("syncPauseMs"))),
                    SavepointSuite.median(doubles(n.path("snapshotMs"))),
                    n.path("snapshotBytes").asLong() / (n.path("snapshotMs").size() + 1), // every checkpoint is kept, the warm-up's too
                    SavepointSuite.median(doubles(n.path("restoreMs"))), n.path("load").asDouble(),
                    n.has("incrementalMs") ? SavepointSuite.median(doubles(n.path("incrementalSyncMs"))) : Double.NaN,
                    n.has("incrementalMs") ? SavepointSuite.median(doubles(n.path("incrementalMs"))) : Double.NaN,
                    n.path("incrementalBytes").asLong());
        }

        /** Heap and resident memory outside the heap: what the state costs in memory. */
        double memory() {
            return heap + nativeResident;
        }
    }

    private static List<Double> doubles(JsonNode values) {
        List<Double> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asDouble()));
        return out;
    }

    static String report(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Run>> runs = new LinkedHashMap<>(); // store|keys
        for (String line : Files.readAllLines(out.resolve(RUNS_JSON))) {
            Run r = Run.of(json.readTree(line));
            runs.computeIfAbsent(r.store() + "|" + r.keys(), k -> new ArrayList<>()).add(r);
        }
        Map<String, List<Double>> scores = new LinkedHashMap<>(); // op|store|keys
        Map<String, List<Double>> loads = new LinkedHashMap<>();
        for (JsonNode fork : json.readTree(out.resolve(OPS_JSON).toFile())) {
            String method = fork.path("benchmark").asText();
            String key = method.substring(method.lastIndexOf('.') + 1) + "|" + fork.path("params").path("store").asText() + "|"
                    + fork.path("params").path("keyCount").asText();
            scores.computeIfAbsent(key, k -> new ArrayList<>()).add(fork.path("primaryMetric").path("score").asDouble());
            loads.computeIfAbsent(key, k -> new ArrayList<>()).add(fork.path("loadAverage").asDouble());
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %s; %d rounds, each one fork of every store in turn; each cell is the median"
                        + " of the forks with their range in brackets; *noise* marks a ratio whose two sides' ranges overlap. Operations:"
                        + " one 5 s measurement per fork after 3 s of warm-up, uniform keys, the key set before each operation. Forks get"
                        + " a pre-touched heap of 6 GiB (1M keys) or 10 GiB (10M keys) and the platform's JVM options.%n%n",
                LocalDate.now(), BenchmarkSuite.machine().replace(", heap 6 GiB per fork, pre-touched", ""), ROUNDS));
        md.append("**State operations** (ops/s)\n\n| operation | keys | Cairn offheap | Flink RocksDB | Flink HashMap | Cairn heap "
                + "| offheap / Flink RocksDB | offheap / Flink HashMap | load |\n|---|---|---|---|---|---|---|---|---|\n");
        List<Integer> sizes = runs.values().stream().map(r -> r.get(0).keys()).distinct().sorted().toList();
        for (int keys : sizes) {
            for (String op : keys > 1_000_000 ? LARGE_OPERATIONS : OPERATIONS) {
                List<Double> offheap = scores.get(op + "|" + Stores.CAIRN_OFFHEAP + "|" + keys);
                if (offheap == null) {
                    continue;
                }
                List<Double> rocks = scores.getOrDefault(op + "|" + Stores.FLINK_ROCKSDB + "|" + keys, List.of());
                List<Double> hashMap = scores.getOrDefault(op + "|" + Stores.FLINK_HASHMAP + "|" + keys, List.of());
                List<Double> heap = scores.getOrDefault(op + "|" + Stores.CAIRN_HEAP + "|" + keys, List.of());
                List<Double> rowLoads = new ArrayList<>();
                for (String store : STORES) {
                    rowLoads.addAll(loads.getOrDefault(op + "|" + store + "|" + keys, List.of()));
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", op, count(keys), ops(offheap), ops(rocks),
                        ops(hashMap), ops(heap), ratio(offheap, rocks), ratio(offheap, hashMap), loadRange(rowLoads)));
            }
        }
        md.append("\n**Memory, collector pauses, checkpoints and restores** (value state, `Long` keys, `value-<n>` strings). Memory per"
                + " entry: the heap after a full collection, and resident memory outside the heap (mapped files, native allocations),"
                + " both over the load of the keys into a warmed-up process; files: disk blocks of the store's working files. Pauses:"
                + " every stop-the-world collection while the keys were loaded, all forks together. Checkpoint: after 1 % of the keys"
                + " changed, to local disk, 10 per fork (Cairn's stores and Flink's heap write full snapshots, Flink's RocksDB"
                + " incremental ones, as it runs in production); restore: the last checkpoint into a new store (10 per fork at 1M, 5 at 10M).\n\n");
        md.append("| keys | store | memory / entry (heap + off-heap) | files / entry | GC pauses while loading: count, p99, max "
                + "| sync pause | whole checkpoint | bytes per checkpoint | restore | load |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (int keys : sizes) {
            for (String store : STORES) {
                List<Run> row = runs.get(store + "|" + keys);
                if (row == null) {
                    continue;
                }
                List<Double> pauses = new ArrayList<>();
                row.forEach(r -> pauses.addAll(r.pauses()));
                pauses.sort(null);
                String gc = pauses.isEmpty() ? "none" : String.format(Locale.ROOT, "%d, %.0f ms, %.0f ms", pauses.size(),
                        ChangelogSuite.percentile(pauses, 0.99), pauses.get(pauses.size() - 1));
                md.append(String.format(Locale.ROOT, "| %s | %s | %s (%s + %s) | %s | %s | %s | %s | %s | %s | %s |%n", count(keys), store,
                        range(row, Run::memory, "%.0f B"), String.format(Locale.ROOT, "%.0f", med(row, Run::heap)),
                        String.format(Locale.ROOT, "%.0f", med(row, Run::nativeResident)), range(row, Run::files, "%.0f B"), gc,
                        range(row, Run::sync, "%.2f ms"), range(row, Run::snapshot, "%.0f ms"),
                        BenchmarkSuite.bytes((long) med(row, r -> (double) r.checkpointBytes())), range(row, Run::restore, "%.0f ms"),
                        loadRange(row.stream().map(Run::load).toList())));
            }
        }
        md.append("\n**Incremental checkpoints** after 1 % of the keys changed, 10 per fork: Cairn's stores with native incremental"
                + " checkpoints (after the full ones above, the first not counted), Flink's RocksDB as above; bytes: what one checkpoint"
                + " adds to the snapshot directory.\n\n| keys | store | sync pause | whole checkpoint | bytes per checkpoint |\n|---|---|---|---|---|\n");
        for (int keys : sizes) {
            for (String store : STORES) {
                List<Run> row = runs.get(store + "|" + keys);
                if (row == null) {
                    continue;
                }
                boolean rocks = store.equals(Stores.FLINK_ROCKSDB);
                if (!rocks && Double.isNaN(row.get(0).incremental())) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s |%n", count(keys), store,
                        range(row, rocks ? Run::sync : Run::incrementalSync, "%.2f ms"), range(row, rocks ? Run::snapshot : Run::incremental, "%.0f ms"),
                        BenchmarkSuite.bytes((long) med(row, r -> (double) (rocks ? r.checkpointBytes() : r.incrementalBytes())))));
            }
        }
        return md.toString();
    }

    private static String count(int keys) {
        return keys >= 1_000_000 ? keys / 1_000_000 + "M" : keys / 1000 + "k";
    }

    private static String ops(List<Double> forks) {
        if (forks.isEmpty()) {
            return "–";
        }
        List<Double> v = forks.stream().sorted().toList();
        return String.format(Locale.ROOT, "%s [%s–%s]", rate(SavepointSuite.median(v)), rate(v.get(0)), rate(v.get(v.size() - 1)));
    }

    private static String rate(double opsPerSecond) {
        return opsPerSecond >= 1e6 ? String.format(Locale.ROOT, "%.2f M", opsPerSecond / 1e6) : String.format(Locale.ROOT, "%.0f k", opsPerSecond / 1e3);
    }

    private static String ratio(List<Double> cairn, List<Double> other) {
        if (cairn.isEmpty() || other.isEmpty()) {
            return "–";
        }
        boolean overlap = cairn.stream().mapToDouble(d -> d).min().orElse(0) <= other.stream().mapToDouble(d -> d).max().orElse(0)
                && other.stream().mapToDouble(d -> d).min().orElse(0) <= cairn.stream().mapToDouble(d -> d).max().orElse(0);
        return String.format(Locale.ROOT, "%.2f×%s", SavepointSuite.median(cairn) / SavepointSuite.median(other), overlap ? " *noise*" : "");
    }

    private static String loadRange(List<Double> loads) {
        return String.format(Locale.ROOT, "%.1f–%.1f", loads.stream().mapToDouble(d -> d).min().orElse(0),
                loads.stream().mapToDouble(d -> d).max().orElse(0));
    }

    private static double med(List<Run> runs, Function<Run, Double> metric) {
        return SavepointSuite.median(runs.stream().map(metric).toList());
    }

    private static String range(List<Run> runs, Function<Run, Double> metric, String format) {
        List<Double> v = runs.stream().map(metric).sorted().toList();
        return String.format(Locale.ROOT, format + " [" + format + "–" + format + "]", SavepointSuite.median(v), v.get(0), v.get(v.size() - 1));
    }
}
