package dev.cairn.benchmarks;

import static dev.cairn.benchmarks.BenchmarkSuite.bytes;
import static dev.cairn.benchmarks.BenchmarkSuite.format;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/** JMH results by benchmark, parameters and store, turned into Cairn/Flink ratios. */
final class Results {

    /** One bar of the chart: how many times better Cairn does, and the goal set for it. */
    record Advantage(String label, double ratio, double target) {
    }

    private final Map<String, Double> scores = new LinkedHashMap<>();

    Results(Collection<RunResult> results) {
        for (RunResult r : results) {
            var p = r.getParams();
            Map<String, String> params = new LinkedHashMap<>();
            p.getParamsKeys().forEach(k -> params.put(k, p.getParam(k)));
            add(p.getBenchmark(), params, r.getPrimaryResult().getScore());
        }
    }

    /** From the JSON files JMH wrote (those that exist), to report runs again without measuring them again. */
    static Results fromJson(java.nio.file.Path... files) throws java.io.IOException {
        Results results = new Results(List.of());
        for (java.nio.file.Path file : files) {
            if (!java.nio.file.Files.exists(file)) {
                continue;
            }
            for (var node : new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile())) {
                Map<String, String> params = new LinkedHashMap<>();
                node.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
                results.add(node.get("benchmark").asText(), params, node.path("primaryMetric").path("score").asDouble());
            }
        }
        return results;
    }

    /** Each score under its method, store and the parameter that varies within a table (keys, share changed, rescale). */
    private void add(String benchmark, Map<String, String> params, double score) {
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String variant = params.getOrDefault("keys", params.getOrDefault("changedPercent", params.getOrDefault("rescale", "")));
        scores.put(key(method, params.get("store"), variant), score);
    }

    private static String key(String method, String store, String variant) {
        return method + "|" + store + "|" + variant;
    }

    private double score(String method, String store, String variant) {
        return scores.getOrDefault(key(method, store, variant), Double.NaN);
    }

    private static final List<String> RESCALES = List.of("same", "2to1", "1to2");

    private static final List<String> OPERATIONS = List.of("valueGet", "valueUpdate", "mapPut", "mapGet", "mapIterate", "listAdd", "listGet");

    String markdown(BenchmarkSuite.Sizes sizes, String machine, String date, boolean quick) {
        StringBuilder md = new StringBuilder();
        md.append("Measured ").append(date).append(" on ").append(machine).append(", Apache Flink 2.3.0, JMH 1.37")
                .append(quick ? " (--quick smoke run: not numbers to quote)" : "").append(". Ratios are Cairn over Flink: above 1 Cairn is better.\n\n");
        md.append("**State operations** (ops/s, ").append(String.format(Locale.ROOT, "%,d", sizes.keyCount())).append(" keys; the key is set before each operation)\n\n");
        md.append("| operation | keys | Cairn heap | Flink HashMap | JDK HashMap (floor) | Cairn / Flink | Cairn / floor |\n|---|---|---|---|---|---|---|\n");
        for (String op : OPERATIONS) {
            for (String dist : List.of("uniform", "zipf")) {
                double c = score(op, Stores.CAIRN_HEAP, dist);
                double f = score(op, Stores.FLINK_HASHMAP, dist);
                double j = score(op, Stores.JDK_HASHMAP, dist);
                md.append(row(op, dist, format(c), format(f), format(j), ratio(c / f), ratio(c / j)));
            }
        }
        md.append("\n**Checkpoints** of ").append(String.format(Locale.ROOT, "%,d", sizes.keyCount()))
                .append(" value-state keys after a share of them changed (ms; bytes written to local disk)\n\n");
        md.append("| changed | sync pause Cairn | sync pause Flink | Flink / Cairn | whole snapshot Cairn full | Cairn incremental | Flink | Flink / Cairn incr. | bytes Cairn full | Cairn incremental | Flink |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int percent : BenchmarkSuite.Sizes.PERCENTS) {
            String pc = Integer.toString(percent);
            double syncC = score("syncPause", Stores.CAIRN_HEAP, pc);
            double syncF = score("syncPause", Stores.FLINK_HASHMAP, pc);
            double wholeC = score("wholeSnapshot", Stores.CAIRN_HEAP, pc);
            double wholeI = score("wholeSnapshot", SnapshotBenchmark.CAIRN_INCREMENTAL, pc);
            double wholeF = score("wholeSnapshot", Stores.FLINK_HASHMAP, pc);
            md.append(row(percent + " %", ms(syncC), ms(syncF), ratio(syncF / syncC), ms(wholeC), ms(wholeI), ms(wholeF), ratio(wholeF / wholeI),
                    bytes(sizes.checkpointBytes().get(Stores.CAIRN_HEAP).get(percent)),
                    bytes(sizes.checkpointBytes().get(SnapshotBenchmark.CAIRN_INCREMENTAL).get(percent)),
                    bytes(sizes.checkpointBytes().get(Stores.FLINK_HASHMAP).get(percent))));
        }
        md.append("\n**Restore** of full checkpoints (ms): same parallelism, two subtasks into one, one into the first of two\n\n");
        md.append("| restore | Cairn heap | Flink HashMap | Flink / Cairn |\n|---|---|---|---|\n");
        for (String rescale : RESCALES) {
            double c = score("restore", Stores.CAIRN_HEAP, rescale);
            double f = score("restore", Stores.FLINK_HASHMAP, rescale);
            md.append(row(rescale.equals("same") ? "same parallelism" : rescale.replace("to", " → "), ms(c), ms(f), ratio(f / c)));
        }
        rocksDbTables(md);
        Map<String, Double> perEntry = sizes.bytesPerEntry();
        md.append("\n**Heap bytes per value-state entry** (the value string itself not counted)\n\n| Cairn heap | Flink HashMap | JDK HashMap | Cairn / Flink |\n|---|---|---|---|\n");
        md.append(row(format(perEntry.get(Stores.CAIRN_HEAP)), format(perEntry.get(Stores.FLINK_HASHMAP)), format(perEntry.get(Stores.JDK_HASHMAP)),
                ratio(perEntry.get(Stores.CAIRN_HEAP) / perEntry.get(Stores.FLINK_HASHMAP))));
        return md.toString();
    }

    /** Cairn's RocksDB backend against Flink's EmbeddedRocksDBStateBackend and raw RocksJava, when they were measured. */
    private void rocksDbTables(StringBuilder md) {
        if (Double.isNaN(score("valueGet", Stores.CAIRN_ROCKSDB, "uniform"))) {
            return;
        }
        md.append("\n**RocksDB backends**: Cairn's against Flink's EmbeddedRocksDBStateBackend, both on FRocksDB 8.10 (frocksdbjni),")
                .append(" each in forks with only its own backend on the class path, both with 256 MiB of block cache and write buffers,")
                .append(" native incremental checkpoints (Cairn's writes go to a write-ahead log buffered in memory, Flink's skip the log);")
                .append(" raw RocksJava with the same memory and no log as the floor (ops/s)\n\n");
        md.append("| operation | keys | Cairn RocksDB | Flink RocksDB | RocksJava (floor) | Cairn / Flink | Cairn / floor |\n|---|---|---|---|---|---|---|\n");
        for (String op : OPERATIONS) {
            for (String dist : List.of("uniform", "zipf")) {
                double c = score(op, Stores.CAIRN_ROCKSDB, dist);
                double f = score(op, Stores.FLINK_ROCKSDB, dist);
                double j = score(op, Stores.ROCKSDB_JNI, dist);
                md.append(row(op, dist, format(c), format(f), format(j), ratio(c / f), ratio(c / j)));
            }
        }
        md.append("\n| RocksDB (ms) | Cairn RocksDB | Flink RocksDB | Flink / Cairn |\n|---|---|---|---|\n");
        for (int percent : BenchmarkSuite.Sizes.PERCENTS) {
            String pc = Integer.toString(percent);
            for (String method : List.of("syncPause", "wholeSnapshot")) {
                double c = score(method, Stores.CAIRN_ROCKSDB, pc);
                double f = score(method, Stores.FLINK_ROCKSDB, pc);
                md.append(row((method.equals("syncPause") ? "sync pause" : "whole incremental checkpoint") + ", " + pc + " % changed",
                        ms(c), ms(f), ratio(f / c)));
            }
        }
        for (String rescale : RESCALES) {
            double c = score("restore", Stores.CAIRN_ROCKSDB, rescale);
            double f = score("restore", Stores.FLINK_ROCKSDB, rescale);
            md.append(row("restore, " + (rescale.equals("same") ? "same parallelism" : rescale.replace("to", " → ")), ms(c), ms(f), ratio(f / c)));
        }
    }

    /** Cairn's advantage per workload, with the targets, for the chart. */
    List<Advantage> advantages(BenchmarkSuite.Sizes sizes) {
        List<Advantage> list = new java.util.ArrayList<>();
        for (String op : OPERATIONS) {
            list.add(new Advantage(op + " (uniform)", score(op, Stores.CAIRN_HEAP, "uniform") / score(op, Stores.FLINK_HASHMAP, "uniform"), 2));
        }
        for (int percent : BenchmarkSuite.Sizes.PERCENTS) {
            String pc = Integer.toString(percent);
            list.add(new Advantage("sync pause, " + pc + " % changed", score("syncPause", Stores.FLINK_HASHMAP, pc) / score("syncPause", Stores.CAIRN_HEAP, pc), 1));
            list.add(new Advantage("snapshot, " + pc + " % changed", score("wholeSnapshot", Stores.FLINK_HASHMAP, pc)
                    / score("wholeSnapshot", SnapshotBenchmark.CAIRN_INCREMENTAL, pc), 1));
        }
        for (String rescale : RESCALES) {
            list.add(new Advantage("restore, " + rescale, score("restore", Stores.FLINK_HASHMAP, rescale) / score("restore", Stores.CAIRN_HEAP, rescale), 10));
        }
        list.add(new Advantage("heap bytes / entry", sizes.bytesPerEntry().get(Stores.FLINK_HASHMAP) / sizes.bytesPerEntry().get(Stores.CAIRN_HEAP), 1 / 0.6));
        return list;
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.0f", v);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }
}
