package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The whole comparison in one run: JMH for operations, snapshots and restores, then the sizes
 * (bytes written per checkpoint, heap bytes per entry) measured directly, since they do not
 * depend on timing. Writes {@code results/benchmarks.json} (JMH), {@code results/benchmarks.md}
 * (ratios) and {@code results/benchmarks.png} (chart).
 *
 * <p>{@code --quick} runs one short iteration of everything: a smoke run, not numbers to quote.
 * {@code --report} reports the last run's JSON again (and measures the sizes). {@code --heap} and
 * {@code --rocksdb} measure only those rows (the others are reported from the last run).
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
        if (flags.contains("--kafka")) {
            String markdown = reportOnly ? KafkaSuite.report(out) : KafkaSuite.run(quick, out);
            Files.writeString(out.resolve("kafka.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--changelog")) {
            String markdown = reportOnly ? ChangelogSuite.report(out) : ChangelogSuite.run(quick, out);
            Files.writeString(out.resolve("changelog.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--offheap")) {
            String markdown = reportOnly ? OffHeapSuite.report(out) : OffHeapSuite.run(quick, out);
            Files.writeString(out.resolve("offheap.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--backpressure")) {
            String markdown = reportOnly ? BackpressureSuite.report(out) : BackpressureSuite.run(quick, out);
            Files.writeString(out.resolve("backpressure.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--state-tools")) {
            String markdown = reportOnly ? StateToolSuite.report(out) : StateToolSuite.run(quick, out);
            Files.writeString(out.resolve("state-tools.md"), markdown);
            System.out.println(markdown);
            return;
        }
        if (flags.contains("--savepoints")) {
            String keep = flags.contains("--keep-rescales") ? "rescales" : flags.contains("--keep-savepoints") ? "savepoints" : null;
            String markdown = reportOnly ? SavepointSuite.report(out, DiskBandwidth.load(out, DiskBandwidth.SAVEPOINT_RUN)) : SavepointSuite.run(quick, keep, out);
            Files.writeString(out.resolve("savepoints.md"), markdown);
            System.out.println(markdown);
            return;
        }
        boolean heapOnly = flags.contains("--heap");
        if (!reportOnly) {
            if (!rocksDbOnly) {
                // the large-state rows' shares of the disk come from the disk measured in their own run
                DiskBandwidth.measure(quick).save(out, DiskBandwidth.STATE_RUN);
            }
            StateSuite.run(quick, !rocksDbOnly, !heapOnly, out);
        }
        Results table = Results.fromJson(out.resolve(StateSuite.HEAP_JSON), out.resolve(StateSuite.ROCKSDB_JSON));
        Sizes sizes = Sizes.measure(quick ? 100_000 : 1_000_000);
        DiskBandwidth disk = Files.exists(out.resolve(DiskBandwidth.STATE_RUN)) ? DiskBandwidth.load(out, DiskBandwidth.STATE_RUN) : null;
        String markdown = table.markdown(sizes, disk, machine(), LocalDate.now().toString(), quick);
        Files.writeString(out.resolve("benchmarks.md"), markdown);
        Chart.write(table.advantages(sizes), out.resolve("benchmarks.png"));
        System.out.println(markdown);
        System.out.println("Results in " + out.toAbsolutePath());
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
