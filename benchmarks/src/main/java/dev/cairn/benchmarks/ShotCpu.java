package dev.cairn.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The CPU time a fork spent in each measured shot of a single-shot benchmark, on every thread
 * (the collector's and the snapshot's own threads too): against the shot's wall time, how many
 * cores it kept busy, and so what it does per core. Each fork adds the median of its shots to
 * {@value #FILE} beside the results.
 */
final class ShotCpu {

    static final String FILE = "shot-cpu.properties";
    private static final ResultProperties PROPERTIES = new ResultProperties(FILE, "CPU ms per shot: one median per fork");
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final List<Long> shots = new ArrayList<>();
    private long start = -1;

    /** Call last before the shot (in the invocation's set-up). */
    void start() {
        start = OS.getProcessCpuTime();
    }

    /** Call first after the shot (in the invocation's tear-down); warm-up shots are not kept. */
    void stop(IterationParams iteration) {
        long end = OS.getProcessCpuTime();
        if (start >= 0 && iteration.getType() == IterationType.MEASUREMENT) {
            shots.add(end - start);
        }
        start = -1;
    }

    /** Adds this fork's median shot to the file, under the benchmark's method, store, variant and key count. */
    void record(BenchmarkParams benchmark, String variant) throws IOException {
        if (shots.isEmpty()) {
            return;
        }
        long[] sorted = shots.stream().mapToLong(Long::longValue).sorted().toArray();
        double medianMs = (sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0) / 1e6;
        String method = benchmark.getBenchmark().substring(benchmark.getBenchmark().lastIndexOf('.') + 1);
        String key = key(method, benchmark.getParam("store"), variant, Integer.parseInt(benchmark.getParam("keyCount")));
        PROPERTIES.update(p -> {
            String earlier = p.getProperty(key);
            p.setProperty(key, (earlier == null ? "" : earlier + ",") + String.format(java.util.Locale.ROOT, "%.1f", medianMs));
        });
    }

    /** The forks' median CPU ms per shot, in the order the forks ran; empty when none was recorded. */
    static List<Double> forks(String method, String store, String variant, int keyCount) throws IOException {
        String value = PROPERTIES.load().getProperty(key(method, store, variant, keyCount));
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(Double::parseDouble).toList();
    }

    /** Forgets earlier runs' shots: each suite run starts the file afresh. */
    static void reset() throws IOException {
        java.nio.file.Files.deleteIfExists(PROPERTIES.file());
    }

    private static String key(String method, String store, String variant, int keyCount) {
        return method + "|" + store + "|" + variant + "|" + keyCount;
    }
}
