package dev.cairn.benchmarks;

import static dev.cairn.benchmarks.BenchmarkSuite.bytes;
import static dev.cairn.benchmarks.BenchmarkSuite.format;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The forks' JMH results by benchmark, parameters and store: each fork's median, their median
 * and range, the load average they ran under, and Cairn/Flink ratios that say when the two sides'
 * ranges overlap (a difference inside this machine's noise).
 */
final class Results {

    /** One bar of the chart: how many times better Cairn does, and the goal set for it. */
    record Advantage(String label, double ratio, double target) {
    }

    /** The forks of one benchmark, parameters and store: their medians and the load averages they started under. */
    record Forks(List<Double> medians, List<Double> loads) {
        double median() {
            return SavepointSuite.median(medians);
        }

        double min() {
            return medians.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        }

        double max() {
            return medians.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        }
    }

    private static final Forks NONE = new Forks(List.of(), List.of());
    private final Map<String, Forks> forks = new LinkedHashMap<>();

    /** From the JSON files the suite wrote (those that exist), one node per fork. */
    static Results fromJson(java.nio.file.Path... files) throws java.io.IOException {
        Results results = new Results();
        for (var node : StateSuite.forks(files)) {
            Map<String, String> params = new LinkedHashMap<>();
            node.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            List<Double> values = new java.util.ArrayList<>();
            node.path("primaryMetric").path("rawData").path(0).forEach(v -> values.add(v.asDouble()));
            double load = node.has("loadAverage") ? node.get("loadAverage").asDouble() : Double.NaN;
            results.add(node.get("benchmark").asText(), params, SavepointSuite.median(values), load);
        }
        return results;
    }

    /** Each fork under its method, store, the parameter that varies within a table (keys, share changed, rescale) and key count. */
    private void add(String benchmark, Map<String, String> params, double median, double load) {
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String variant = params.getOrDefault("keys", params.getOrDefault("changedPercent", params.getOrDefault("rescale", "")));
        Forks f = forks.computeIfAbsent(key(method, params.get("store"), variant, Integer.parseInt(params.getOrDefault("keyCount", "1000000"))),
                k -> new Forks(new java.util.ArrayList<>(), new java.util.ArrayList<>()));
        f.medians().add(median);
        f.loads().add(load);
    }

    private static String key(String method, String store, String variant, int keyCount) {
        return method + "|" + store + "|" + variant + "|" + keyCount;
    }

    Forks forks(String method, String store, String variant, int keyCount) {
        return forks.getOrDefault(key(method, store, variant, keyCount), NONE);
    }

    /** The key count of the operation, checkpoint and restore tables (a smoke run uses fewer). */
    private int keys = 1_000_000;

    private Forks forks(String method, String store, String variant) {
        return forks(method, store, variant, keys);
    }

    private double score(String method, String store, String variant) {
        return forks(method, store, variant).median();
    }

    /** The number of forks behind the rows (the most any row has). */
    int rounds() {
        return forks.values().stream().mapToInt(f -> f.medians().size()).max().orElse(0);
    }

    private static final List<String> RESCALES = List.of("same", "2to1", "1to2");

    private static final List<String> OPERATIONS = List.of("valueGet", "valueUpdate", "mapPut", "mapGet", "mapIterate", "listAdd", "listGet");
    /** On the heap an update of the object a key holds differs from one of a new object (a backend storing bytes sees no difference). */
    private static final List<String> HEAP_OPERATIONS = List.of("valueGet", "valueUpdate", "valueUpdateNew", "mapPut", "mapGet", "mapIterate",
            "listAdd", "listGet");
    private static final Map<String, String> HEAP_LABELS = Map.of("valueUpdate", "valueUpdate, the object held", "valueUpdateNew",
            "valueUpdate, a new object");

    String markdown(BenchmarkSuite.Sizes sizes, DiskBandwidth disk, String machine, String date, boolean quick) throws java.io.IOException {
        keys = sizes.keyCount();
        StringBuilder md = new StringBuilder();
        md.append("Measured ").append(date).append(" on ").append(machine).append(", Apache Flink 2.3.0 (local checkpoints read through a")
                .append(" 64 KiB buffer, as its S3 and HDFS clients read), JMH 1.37").append(quick ? " (--quick smoke run: not numbers to quote)" : "")
                .append(". ").append(rounds()).append(" rounds, each one fork of every configuration in turn (the floors: one fork);")
                .append(" each cell is the median of the forks' medians with the forks' range in brackets. Operations: one 5 s measurement")
                .append(" per fork after 3 s of warm-up; snapshots and restores: 10 shots per fork. Ratios are Cairn over Flink (above 1 Cairn")
                .append(" is better); *noise* marks a ratio whose two sides' ranges overlap. Load: the one-minute load average as the row's forks")
                .append(" started (2 cores).\n\n");
        md.append("**State operations** (ops/s, ").append(String.format(Locale.ROOT, "%,d", sizes.keyCount())).append(" keys; the key is set before each operation)\n\n");
        md.append("| operation | keys | Cairn heap | Flink HashMap | JDK HashMap (floor) | Cairn / Flink | Cairn / floor | load |\n|---|---|---|---|---|---|---|---|\n");
        for (String op : HEAP_OPERATIONS) {
            for (String dist : List.of("uniform", "zipf")) {
                Forks c = forks(op, Stores.CAIRN_HEAP, dist);
                Forks f = forks(op, Stores.FLINK_HASHMAP, dist);
                Forks j = forks(op, Stores.JDK_HASHMAP, dist);
                md.append(row(HEAP_LABELS.getOrDefault(op, op), dist, cell(c, BenchmarkSuite::format), cell(f, BenchmarkSuite::format), cell(j, BenchmarkSuite::format),
                        ratio(c, f, true), ratio(c.median() / j.median()), load(c, f)));
            }
        }
        md.append("\n**Checkpoints** of ").append(String.format(Locale.ROOT, "%,d", sizes.keyCount()))
                .append(" value-state keys after a share of them changed (ms; bytes written to local disk)\n\n");
        md.append("| changed | sync pause Cairn | sync pause Flink | Flink / Cairn | whole snapshot Cairn full | Cairn incremental | Flink | Flink / Cairn incr. | bytes Cairn full | Cairn incremental | Flink | load |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (int percent : BenchmarkSuite.Sizes.PERCENTS) {
            String pc = Integer.toString(percent);
            Forks syncC = forks("syncPause", Stores.CAIRN_HEAP, pc);
            Forks syncF = forks("syncPause", Stores.FLINK_HASHMAP, pc);
            Forks wholeC = forks("wholeSnapshot", Stores.CAIRN_HEAP, pc);
            Forks wholeI = forks("wholeSnapshot", SnapshotBenchmark.CAIRN_INCREMENTAL, pc);
            Forks wholeF = forks("wholeSnapshot", Stores.FLINK_HASHMAP, pc);
            md.append(row(percent + " %", cell(syncC, Results::ms), cell(syncF, Results::ms), ratio(syncC, syncF, false),
                    cell(wholeC, Results::ms), cell(wholeI, Results::ms), cell(wholeF, Results::ms), ratio(wholeI, wholeF, false),
                    bytes(sizes.checkpointBytes().get(Stores.CAIRN_HEAP).get(percent)),
                    bytes(sizes.checkpointBytes().get(SnapshotBenchmark.CAIRN_INCREMENTAL).get(percent)),
                    bytes(sizes.checkpointBytes().get(Stores.FLINK_HASHMAP).get(percent)), load(syncC, syncF, wholeC, wholeI, wholeF)));
        }
        md.append("\n**Restore** of full checkpoints (ms): same parallelism, two subtasks into one, one into the first of two\n\n");
        md.append("| restore | Cairn heap | Flink HashMap | Flink / Cairn | load |\n|---|---|---|---|---|\n");
        for (String rescale : RESCALES) {
            Forks c = forks("restore", Stores.CAIRN_HEAP, rescale);
            Forks f = forks("restore", Stores.FLINK_HASHMAP, rescale);
            md.append(row(rescale.equals("same") ? "same parallelism" : rescale.replace("to", " → "), cell(c, Results::ms), cell(f, Results::ms),
                    ratio(c, f, false), load(c, f)));
        }
        Forks readC = forks("restoreAndReadEveryKey", Stores.CAIRN_HEAP, "same");
        Forks readF = forks("restoreAndReadEveryKey", Stores.FLINK_HASHMAP, "same");
        md.append(row("same parallelism, then every key read once", cell(readC, Results::ms), cell(readF, Results::ms), ratio(readC, readF, false),
                load(readC, readF)));
        largeState(md, disk);
        rocksDbTables(md);
        Map<String, Double> perEntry = sizes.bytesPerEntry();
        md.append("\n**Heap bytes per value-state entry** (the value string itself not counted)\n\n| Cairn heap | Flink HashMap | JDK HashMap | Cairn / Flink |\n|---|---|---|---|\n");
        md.append(row(format(perEntry.get(Stores.CAIRN_HEAP)), format(perEntry.get(Stores.FLINK_HASHMAP)), format(perEntry.get(Stores.JDK_HASHMAP)),
                ratio(perEntry.get(Stores.CAIRN_HEAP) / perEntry.get(Stores.FLINK_HASHMAP))));
        return md.toString();
    }

    /**
     * Snapshots of many keys written to and restored from local disk: MiB/s of the bytes on disk,
     * as a share of the disk's sequential bandwidth measured in the same run, the cores each shot
     * kept busy (the fork's CPU time over the shot's wall time: writes and restores run on several
     * threads, and the collector works too) and MiB/s per core.
     */
    private void largeState(StringBuilder md, DiskBandwidth disk) throws java.io.IOException {
        int large = forks.keySet().stream().filter(k -> k.startsWith("restore|" + Stores.CAIRN_HEAP + "|same|"))
                .mapToInt(k -> Integer.parseInt(k.substring(k.lastIndexOf('|') + 1))).max().orElse(0);
        if (large <= keys || disk == null) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%n**Snapshots of %,d keys** on local disk (%s MiB/s sequential write, synced; %s MiB/s"
                + " sequential read, O_DIRECT; measured in this run): ms, MiB/s of the snapshot's bytes, that as a share of the disk's"
                + " bandwidth, the cores the shot kept busy (the process's CPU time over the wall time, collector included) and MiB/s per"
                + " core. A restore reads files the run just wrote, which the page cache may still hold; the incremental checkpoint"
                + " follows 1 %% of the keys changing%n%n", large, Math.round(disk.writeMiBs()), Math.round(disk.readMiBs())));
        md.append("| backend | snapshot | bytes | ms | MiB/s | of disk | cores | MiB/s per core | load |\n|---|---|---|---|---|---|---|---|---|\n");
        for (String store : List.of(Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP)) {
            String name = store.equals(Stores.CAIRN_HEAP) ? "Cairn heap" : "Flink HashMap";
            long full = SnapshotSizes.CHECKPOINTS.bytes(store, "same", large); // what the restore read
            md.append(largeRow(name, "full, write", SnapshotSizes.CHECKPOINTS.bytes(store, "changed-1", large), forks("wholeSnapshot", store, "1", large),
                    ShotCpu.forks("wholeSnapshot", store, "1", large), disk.writeMiBs()));
            if (store.equals(Stores.CAIRN_HEAP)) {
                String incremental = SnapshotBenchmark.CAIRN_INCREMENTAL;
                md.append(largeRow(name, "incremental, write", SnapshotSizes.CHECKPOINTS.bytes(incremental, "changed-1", large),
                        forks("wholeSnapshot", incremental, "1", large), ShotCpu.forks("wholeSnapshot", incremental, "1", large), disk.writeMiBs()));
            }
            md.append(largeRow(name, "full, restore", full, forks("restore", store, "same", large),
                    ShotCpu.forks("restore", store, "same", large), disk.readMiBs()));
        }
        Forks cw = forks("wholeSnapshot", Stores.CAIRN_HEAP, "1", large);
        Forks ci = forks("wholeSnapshot", SnapshotBenchmark.CAIRN_INCREMENTAL, "1", large);
        Forks fw = forks("wholeSnapshot", Stores.FLINK_HASHMAP, "1", large);
        Forks cr = forks("restore", Stores.CAIRN_HEAP, "same", large);
        Forks fr = forks("restore", Stores.FLINK_HASHMAP, "same", large);
        md.append("\n| Flink / Cairn | full write | incremental write (Flink: full) | restore |\n|---|---|---|---|\n")
                .append(row(String.format(Locale.ROOT, "%,d keys", large), ratio(cw, fw, false), ratio(ci, fw, false), ratio(cr, fr, false)));
    }

    private static String largeRow(String backend, String snapshot, long bytes, Forks shots, List<Double> cpuMs, double diskMiBs) {
        double mib = bytes / 1048576.0;
        double rate = mib / (shots.median() / 1000);
        double cores = cpuMs.isEmpty() ? Double.NaN : SavepointSuite.median(cpuMs) / shots.median();
        return row(backend, snapshot, bytes < 0 ? "–" : bytes(bytes), cell(shots, Results::ms), mibs(rate), percent(rate / diskMiBs),
                Double.isNaN(cores) ? "–" : String.format(Locale.ROOT, "%.2f", cores), mibs(rate / cores), load(shots));
    }

    /** Cairn's RocksDB backend against Flink's EmbeddedRocksDBStateBackend and raw RocksJava, when they were measured. */
    private void rocksDbTables(StringBuilder md) {
        if (Double.isNaN(score("valueGet", Stores.CAIRN_ROCKSDB, "uniform"))) {
            return;
        }
        md.append("\n**RocksDB backends**: Cairn's against Flink's EmbeddedRocksDBStateBackend, both on FRocksDB 8.10 (frocksdbjni),")
                .append(" each in forks with only its own backend on the class path, both with 256 MiB of block cache and write buffers,")
                .append(" native incremental checkpoints, neither writing a write-ahead log; raw RocksJava with the same memory and no log")
                .append(" as the floor (ops/s)\n\n");
        md.append("| operation | keys | Cairn RocksDB | Flink RocksDB | RocksJava (floor) | Cairn / Flink | Cairn / floor | load |\n|---|---|---|---|---|---|---|---|\n");
        for (String op : OPERATIONS) {
            for (String dist : List.of("uniform", "zipf")) {
                Forks c = forks(op, Stores.CAIRN_ROCKSDB, dist);
                Forks f = forks(op, Stores.FLINK_ROCKSDB, dist);
                Forks j = forks(op, Stores.ROCKSDB_JNI, dist);
                md.append(row(op, dist, cell(c, BenchmarkSuite::format), cell(f, BenchmarkSuite::format), cell(j, BenchmarkSuite::format),
                        ratio(c, f, true), ratio(c.median() / j.median()), load(c, f)));
            }
        }
        md.append("\n| RocksDB (ms) | Cairn RocksDB | Flink RocksDB | Flink / Cairn | load |\n|---|---|---|---|---|\n");
        for (int percent : BenchmarkSuite.Sizes.PERCENTS) {
            String pc = Integer.toString(percent);
            for (String method : List.of("syncPause", "wholeSnapshot")) {
                Forks c = forks(method, Stores.CAIRN_ROCKSDB, pc);
                Forks f = forks(method, Stores.FLINK_ROCKSDB, pc);
                md.append(row((method.equals("syncPause") ? "sync pause" : "whole incremental checkpoint") + ", " + pc + " % changed",
                        cell(c, Results::ms), cell(f, Results::ms), ratio(c, f, false), load(c, f)));
            }
        }
        for (String rescale : RESCALES) {
            Forks c = forks("restore", Stores.CAIRN_ROCKSDB, rescale);
            Forks f = forks("restore", Stores.FLINK_ROCKSDB, rescale);
            md.append(row("restore, " + (rescale.equals("same") ? "same parallelism" : rescale.replace("to", " → ")),
                    cell(c, Results::ms), cell(f, Results::ms), ratio(c, f, false), load(c, f)));
        }
    }

    /** Cairn's advantage per workload, with the targets, for the chart. */
    List<Advantage> advantages(BenchmarkSuite.Sizes sizes) {
        List<Advantage> list = new java.util.ArrayList<>();
        for (String op : HEAP_OPERATIONS) {
            list.add(new Advantage(HEAP_LABELS.getOrDefault(op, op) + " (uniform)", score(op, Stores.CAIRN_HEAP, "uniform") / score(op, Stores.FLINK_HASHMAP, "uniform"), 2));
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

    /** The forks' median, and their range when there is more than one. */
    private static String cell(Forks f, java.util.function.DoubleFunction<String> format) {
        if (f.medians().isEmpty()) {
            return "–";
        }
        String median = format.apply(f.median());
        return f.medians().size() == 1 ? median : median + " [" + format.apply(f.min()) + "–" + format.apply(f.max()) + "]";
    }

    /**
     * Cairn over Flink from the medians: throughput divides Cairn by Flink, times divide Flink by
     * Cairn. Marked as noise when the two sides' fork ranges overlap.
     */
    private static String ratio(Forks cairn, Forks flink, boolean throughput) {
        double r = throughput ? cairn.median() / flink.median() : flink.median() / cairn.median();
        boolean overlap = cairn.medians().size() > 1 && flink.medians().size() > 1 && cairn.min() <= flink.max() && flink.min() <= cairn.max();
        return ratio(r) + (overlap ? " *noise*" : "");
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String load(Forks... rows) {
        double min = Double.MAX_VALUE;
        double max = -1;
        for (Forks f : rows) {
            for (double l : f.loads()) {
                if (!Double.isNaN(l)) {
                    min = Math.min(min, l);
                    max = Math.max(max, l);
                }
            }
        }
        if (max < 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.1f", min) + (max > min ? String.format(Locale.ROOT, "–%.1f", max) : "");
    }

    private static String mibs(double v) {
        return Double.isNaN(v) || v <= 0 || Double.isInfinite(v) ? "–" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String percent(double share) {
        return Double.isNaN(share) || share <= 0 || Double.isInfinite(share) ? "–" : String.format(Locale.ROOT, "%.0f %%", share * 100);
    }

    private static String row(String... cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }
}
