package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The whole comparison in one run: JMH for operations, snapshots and restores, then the sizes
 * (bytes written per checkpoint, heap bytes per entry) measured directly, since they do not
 * depend on timing. Writes {@code results/benchmarks.json} (JMH), {@code results/benchmarks.md}
 * (ratios) and {@code results/benchmarks.png} (chart).
 *
 * <p>{@code --quick} runs one short iteration of everything: a smoke run, not numbers to quote.
 * {@code --report} reports the last run's JSON again (and measures the sizes).
 */
public final class BenchmarkSuite {

    private BenchmarkSuite() {
    }

    public static void main(String[] args) throws Exception {
        // benchmarks/run passes its flags as one argument
        List<String> flags = java.util.Arrays.stream(args).flatMap(a -> java.util.Arrays.stream(a.trim().split("\\s+"))).toList();
        boolean quick = flags.contains("--quick");
        boolean reportOnly = flags.contains("--report");
        boolean rocksDbOnly = flags.contains("--rocksdb");
        Path out = Path.of(System.getProperty("cairn.results", "results"));
        Files.createDirectories(out);
        if (flags.contains("--pipeline")) {
            String markdown = reportOnly ? PipelineSuite.report(out) : PipelineSuite.run(quick, out);
            Files.writeString(out.resolve("pipeline.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--savepoints")) {
            String keep = flags.contains("--keep-rescales") ? "rescales" : flags.contains("--keep-savepoints") ? "savepoints" : null;
            String markdown = reportOnly ? SavepointSuite.report(out, DiskBandwidth.load(out)) : SavepointSuite.run(quick, keep, out);
            Files.writeString(out.resolve("savepoints.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (!reportOnly) {
            if (!rocksDbOnly) {
                runJmh(quick, out);
            }
            runRocksDb(quick, out);
        }
        Results table = Results.fromJson(out.resolve("benchmarks.json"), out.resolve(ROCKSDB_JSON));
        Sizes sizes = Sizes.measure(quick ? 100_000 : 1_000_000);
        String markdown = table.markdown(sizes, machine(), LocalDate.now().toString(), quick);
        Files.writeString(out.resolve("benchmarks.md"), markdown);
        Chart.write(table.advantages(sizes), out.resolve("benchmarks.png"));
        System.out.println(markdown);
        System.out.println("Results in " + out.toAbsolutePath());
    }

    static final String ROCKSDB_JSON = "benchmarks-rocksdb.json";

    /**
     * The RocksDB rows. Both backends run on the same FRocksDB 8.10; each side runs in forks whose
     * class path holds only its own backend (JMH builds a fork's class path from
     * {@code java.class.path}); the results are merged.
     */
    private static void runRocksDb(boolean quick, Path out) throws Exception {
        String classPath = System.getProperty("java.class.path");
        String cairnSide = cairnRocksDbClassPath();
        String flinkSide = flinkRocksDbClassPath();
        List<Path> parts = new java.util.ArrayList<>();
        try {
            parts.add(runSide(cairnSide, quick, out, "cairn-operations", List.of(StateAccessBenchmark.class.getSimpleName()),
                    Stores.CAIRN_ROCKSDB, Stores.ROCKSDB_JNI));
            parts.add(runSide(cairnSide, quick, out, "cairn-snapshots", List.of(SnapshotBenchmark.class.getSimpleName(),
                    RestoreBenchmark.class.getSimpleName()), Stores.CAIRN_ROCKSDB));
            parts.add(runSide(flinkSide, quick, out, "flink", List.of(StateAccessBenchmark.class.getSimpleName(),
                    SnapshotBenchmark.class.getSimpleName(), RestoreBenchmark.class.getSimpleName()), Stores.FLINK_ROCKSDB));
        } finally {
            System.setProperty("java.class.path", classPath);
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ArrayNode merged = json.createArrayNode();
        for (Path part : parts) {
            json.readTree(part.toFile()).forEach(merged::add);
            Files.delete(part);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(out.resolve(ROCKSDB_JSON).toFile(), merged);
    }

    private static Path runSide(String classPath, boolean quick, Path out, String name, List<String> includes, String... stores) throws Exception {
        System.setProperty("java.class.path", classPath);
        Path json = out.resolve("rocksdb-" + name + ".json");
        ChainedOptionsBuilder options = new OptionsBuilder().param("store", stores)
                .resultFormat(ResultFormatType.JSON).result(json.toString());
        includes.forEach(options::include);
        if (quick) {
            options.warmupIterations(1).measurementIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementTime(TimeValue.milliseconds(200)).param("keyCount", "100000");
        }
        new Runner(options.build()).run();
        return json;
    }

    /** This JVM's class path without Flink's RocksDB backend: what forks of Cairn's RocksDB backend run with. */
    static String cairnRocksDbClassPath() {
        return without(System.getProperty("java.class.path"), "flink-statebackend-rocksdb");
    }

    /** This JVM's class path without Cairn's RocksDB backend. */
    static String flinkRocksDbClassPath() {
        return without(System.getProperty("java.class.path"), "plugin-backend-rocksdb");
    }

    private static String without(String classPath, String... fragments) {
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                .filter(entry -> java.util.Arrays.stream(fragments).noneMatch(entry::contains))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    private static Collection<RunResult> runJmh(boolean quick, Path out) throws Exception {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(StateAccessBenchmark.class.getSimpleName())
                .include(SnapshotBenchmark.class.getSimpleName())
                .include(RestoreBenchmark.class.getSimpleName())
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("benchmarks.json").toString());
        if (quick) {
            options.warmupIterations(1).measurementIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementTime(TimeValue.milliseconds(200)).param("keyCount", "100000");
        }
        return new Runner(options.build()).run();
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + ", Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), heap 6 GiB per fork, pre-touched";
    }

    /** Byte counts: what each checkpoint writes, and what each state entry costs on the heap. */
    record Sizes(int keyCount, Map<String, Map<Integer, Long>> checkpointBytes, Map<String, Double> bytesPerEntry) {

        static final int[] PERCENTS = {1, 10, 50};

        static Sizes measure(int keyCount) throws Exception {
            Map<String, Map<Integer, Long>> written = new LinkedHashMap<>();
            for (String store : List.of(Stores.CAIRN_HEAP, SnapshotBenchmark.CAIRN_INCREMENTAL, Stores.FLINK_HASHMAP)) {
                Map<Integer, Long> byPercent = new LinkedHashMap<>();
                for (int percent : PERCENTS) {
                    byPercent.put(percent, checkpointBytes(store, keyCount, percent));
                }
                written.put(store, byPercent);
            }
            Map<String, Double> perEntry = new LinkedHashMap<>();
            for (String store : List.of(Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.JDK_HASHMAP)) {
                perEntry.put(store, heapBytesPerEntry(store, keyCount));
            }
            return new Sizes(keyCount, written, perEntry);
        }

        private static long checkpointBytes(String store, int keyCount, int percent) throws Exception {
            Path dir = Files.createTempDirectory("cairn-bench-");
            boolean incremental = store.equals(SnapshotBenchmark.CAIRN_INCREMENTAL);
            try (StateStore s = Stores.create(incremental ? Stores.CAIRN_HEAP : store, dir)) {
                fill(s, keyCount);
                s.snapshot(1, incremental).complete(); // the base an incremental checkpoint builds on
                SplittableRandom random = new SplittableRandom(7);
                for (int i = 0; i < keyCount / 100 * percent; i++) {
                    long k = random.nextInt(keyCount);
                    s.setKey(k);
                    s.valueUpdate(Stores.value(k + 1));
                }
                long before = Stores.bytesUnder(dir);
                s.snapshot(2, incremental).complete();
                return Stores.bytesUnder(dir) - before;
            } finally {
                Stores.deleteRecursively(dir);
            }
        }

        private static double heapBytesPerEntry(String store, int keyCount) throws Exception {
            Path dir = Files.createTempDirectory("cairn-bench-");
            // the values exist before either measurement: only what the backend adds is counted
            String[] values = new String[keyCount];
            for (int k = 0; k < keyCount; k++) {
                values[k] = Stores.value(k);
            }
            try (StateStore s = Stores.create(store, dir)) {
                long before = usedHeap();
                for (int k = 0; k < keyCount; k++) {
                    s.setKey(k);
                    s.valueUpdate(values[k]);
                }
                long after = usedHeap();
                return (after - before) / (double) keyCount;
            } finally {
                Stores.deleteRecursively(dir);
            }
        }

        private static void fill(StateStore s, int keyCount) throws Exception {
            for (int k = 0; k < keyCount; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
            }
        }

        private static long usedHeap() throws InterruptedException {
            Runtime rt = Runtime.getRuntime();
            for (int i = 0; i < 4; i++) {
                System.gc();
                Thread.sleep(50);
            }
            return rt.totalMemory() - rt.freeMemory();
        }
    }

    static String format(double v) {
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f M", v / 1_000_000);
        }
        if (v >= 1_000) {
            return String.format(Locale.ROOT, "%.0f k", v / 1_000);
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0f" : "%.2f", v);
    }

    static String bytes(long b) {
        return b >= 1 << 20 ? String.format(Locale.ROOT, "%.1f MiB", b / 1048576.0) : String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
}
