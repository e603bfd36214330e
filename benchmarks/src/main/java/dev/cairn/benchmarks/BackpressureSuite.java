package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Aligned against unaligned checkpoints under backpressure (a slow sink), on Cairn and on Flink:
 * each round runs one fork ({@link BackpressureRun}) of every configuration in turn, Cairn and
 * Flink interleaved, three rounds. Writes {@code backpressure.jsonl} (a line per fork) and
 * {@code backpressure.md}.
 */
final class BackpressureSuite {

    static final String JSON = "backpressure.jsonl";
    private static final List<String[]> CONFIGS = List.of(new String[]{"cairn", "aligned"}, new String[]{"flink", "aligned"},
            new String[]{"cairn", "unaligned"}, new String[]{"flink", "unaligned"});
    private static final int SHOTS = 10;

    private BackpressureSuite() {
    }

    static String run(boolean quick, Path out) throws Exception {
        Path results = out.resolve(JSON);
        Files.deleteIfExists(results);
        for (int round = 0; round < (quick ? 1 : 3); round++) {
            for (String[] c : CONFIGS) {
                fork(c[0], c[1], results, quick ? 2 : SHOTS);
            }
        }
        return report(out);
    }

    private static void fork(String side, String mode, Path results, int shots) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms2g", "-Xmx2g",
                "-cp", BenchmarkSuite.cairnRocksDbClassPath(), BackpressureRun.class.getName(), side, mode, results.toAbsolutePath().toString(),
                Integer.toString(shots));
        System.out.println("# " + side + ", " + mode);
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(results.resolveSibling("backpressure-forks.log").toFile())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("The fork of " + side + " " + mode + " failed (exit " + p.exitValue() + "): see "
                    + results.resolveSibling("backpressure-forks.log"));
        }
    }

    /** One fork's medians. */
    private record Fork(String side, String mode, double checkpointMs, double inFlightBytes, double recordsPerSecond, double load) {
        static Fork of(JsonNode n) {
            return new Fork(n.path("side").asText(), n.path("mode").asText(), median(n.path("durationMs")), median(n.path("inFlightBytes")),
                    n.path("recordsPerSecond").asDouble(), n.path("loadAverage").asDouble());
        }
    }

    private static double median(JsonNode values) {
        List<Double> v = new ArrayList<>();
        values.forEach(x -> v.add(x.asDouble()));
        return SavepointSuite.median(v);
    }

    static String report(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<Fork>> forks = new LinkedHashMap<>(); // side|mode
        List<Double> loads = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(JSON))) {
            Fork f = Fork.of(json.readTree(line));
            forks.computeIfAbsent(f.side() + "|" + f.mode(), k -> new ArrayList<>()).add(f);
            loads.add(f.load());
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, `-Xmx2g` per fork, Apache Flink 2.3.0 on a MiniCluster"
                        + " (network buffers as it ships them); %d forks of every row, Cairn and Flink interleaved; each fork's median over"
                        + " %d checkpoints after %d of warm-up, the median of the forks and their range in brackets. Load average as each fork"
                        + " began: %.1f–%.1f.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                forks.values().stream().mapToInt(List::size).max().orElse(0), SHOTS, BackpressureRun.WARM_UP,
                loads.stream().mapToDouble(d -> d).min().orElse(0), loads.stream().mapToDouble(d -> d).max().orElse(0)));
        md.append(String.format(Locale.ROOT, "**Checkpoints under backpressure**: numbers as fast as the job takes them, keyed by `x %% %,d`"
                        + " into a `ValueState<Long>` count, into a sink that waits %d µs per record; parallelism %d, heap state, a checkpoint"
                        + " every second; checkpoint = trigger to completion; in flight = bytes of queued records the checkpoint holds;"
                        + " throughput = records the sink took per second while the checkpoints ran.%n%n",
                BackpressureRun.KEYS, BackpressureRun.SINK_DELAY_MICROS, BackpressureRun.PARALLELISM));
        md.append("| checkpoints | Cairn checkpoint | Flink checkpoint | Cairn / Flink | in flight: Cairn | Flink | records/s: Cairn | Flink |\n");
        md.append("|---|---|---|---|---|---|---|---|\n");
        for (String mode : List.of("aligned", "unaligned")) {
            List<Fork> cairn = forks.get("cairn|" + mode);
            List<Fork> flink = forks.get("flink|" + mode);
            if (cairn == null || flink == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× | %s | %s | %s | %s |%n", mode,
                    range(cairn, Fork::checkpointMs, "%,.0f ms"), range(flink, Fork::checkpointMs, "%,.0f ms"),
                    med(cairn, Fork::checkpointMs) / med(flink, Fork::checkpointMs),
                    BenchmarkSuite.bytes((long) med(cairn, Fork::inFlightBytes)), BenchmarkSuite.bytes((long) med(flink, Fork::inFlightBytes)),
                    range(cairn, f -> f.recordsPerSecond() / 1000, "%.1fk"), range(flink, f -> f.recordsPerSecond() / 1000, "%.1fk")));
        }
        for (String side : List.of("cairn", "flink")) {
            List<Fork> aligned = forks.get(side + "|aligned");
            List<Fork> unaligned = forks.get(side + "|unaligned");
            if (aligned != null && unaligned != null) {
                md.append(String.format(Locale.ROOT, "%n%s: unaligned checkpoints take %.3f of the aligned ones' time.", side.equals("cairn") ? "Cairn" : "Flink",
                        med(unaligned, Fork::checkpointMs) / med(aligned, Fork::checkpointMs)));
            }
        }
        return md.append('\n').toString();
    }

    private static double med(List<Fork> forks, Function<Fork, Double> metric) {
        return SavepointSuite.median(forks.stream().map(metric).toList());
    }

    private static String range(List<Fork> forks, Function<Fork, Double> metric, String format) {
        List<Double> v = forks.stream().map(metric).sorted().toList();
        return String.format(Locale.ROOT, format + " [" + format + "–" + format + "]", SavepointSuite.median(v), v.get(0), v.get(v.size() - 1));
    }
}
