package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code bin/cairn state export} and {@code rewrite} over a 10M-key snapshot, three forks each
 * (interleaved), against this disk's sequential bandwidth measured in the same run. Writes
 * {@code state-tools.json} (the forks' JMH results) and returns the table.
 */
final class StateToolSuite {

    static final String JSON = "state-tools.json";
    private static final String DISK = "disk-bandwidth-state-tools.properties";
    private static final int ROUNDS = 3;

    private StateToolSuite() {
    }

    static String run(boolean quick, Path out) throws Exception {
        DiskBandwidth disk = DiskBandwidth.measure(quick);
        ArrayNode forks = new ObjectMapper().createArrayNode();
        for (int round = 0; round < (quick ? 1 : ROUNDS); round++) {
            for (String method : List.of("export", "rewrite")) {
                JmhFork.run(System.getProperty("java.class.path"), new OptionsBuilder()
                        .include("^" + java.util.regex.Pattern.quote(StateToolBenchmark.class.getName()) + "\\." + method + "$").forks(1)
                        .measurementIterations(quick ? 1 : 2).shouldDoGC(true)
                        .param("keyCount", Integer.toString(quick ? 200_000 : 10_000_000))
                        .jvmArgsAppend("-Xms8g", "-Xmx8g", "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dcairn.results=" + out.toAbsolutePath()),
                        out, forks);
            }
        }
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve(JSON).toFile(), forks);
        disk.save(out, DISK);
        return report(out);
    }

    static String report(Path out) throws Exception {
        DiskBandwidth disk = DiskBandwidth.load(out, DISK);
        Properties sizes = StateToolBenchmark.SIZES.load();
        Map<String, List<Double>> forkMedians = new LinkedHashMap<>();
        for (JsonNode fork : new ObjectMapper().readTree(out.resolve(JSON).toFile())) {
            List<Double> iterations = new ArrayList<>();
            fork.path("primaryMetric").path("rawData").path(0).forEach(v -> iterations.add(v.asDouble()));
            forkMedians.computeIfAbsent(fork.get("benchmark").asText().replaceAll(".*\\.", ""), k -> new ArrayList<>())
                    .add(SavepointSuite.median(iterations));
        }
        long keys = Long.parseLong(sizes.getProperty("keys"));
        long read = Long.parseLong(sizes.getProperty("savepoint.bytes"));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "State tools over a canonical snapshot of %,d value-state keys (Long keys, String values;"
                + " %.0f MiB, LZ4), one thread, measured %s. Disk in the same run: write %.0f MiB/s (synced), read %.0f MiB/s (O_DIRECT)."
                + " The verbs' output is not synced: what they write lands in the page cache first, so the share of the disk is"
                + " their output rate against what the disk takes, not a measured disk load.%n%n",
                keys, read / 1048576.0, LocalDate.now(), disk.writeMiBs(), disk.readMiBs()));
        md.append("| verb | forks | time, median (min–max) | read from the snapshot | written | written, against the disk's write rate |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String method : List.of("export", "rewrite")) {
            List<Double> ms = forkMedians.getOrDefault(method, List.of());
            if (ms.isEmpty()) {
                continue;
            }
            double median = SavepointSuite.median(ms);
            long written = Long.parseLong(sizes.getProperty(method + ".bytes", "0"));
            double writtenMiBs = written / 1048576.0 / (median / 1000);
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %s ms (%s–%s) | %.0f MiB/s | %.0f MiB at %.0f MiB/s | %.0f%% |%n",
                    method.equals("export") ? "export" : "rewrite --max-parallelism 256", ms.size(), SavepointSuite.ms(median),
                    SavepointSuite.ms(ms.stream().mapToDouble(Double::doubleValue).min().orElseThrow()),
                    SavepointSuite.ms(ms.stream().mapToDouble(Double::doubleValue).max().orElseThrow()),
                    read / 1048576.0 / (median / 1000), written / 1048576.0, writtenMiBs, 100 * writtenMiBs / disk.writeMiBs()));
        }
        md.append(String.format(Locale.ROOT, "%n`get` of one key read %s section(s), %,d bytes of the %,d-byte snapshot.%n",
                sizes.getProperty("get.sections"), Long.parseLong(sizes.getProperty("get.bytes")), read));
        return md.toString();
    }
}
