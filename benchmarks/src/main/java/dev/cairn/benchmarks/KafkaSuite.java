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

/**
 * The Kafka example ({@link KafkaRun}) exactly once and at least once, forks interleaved, three
 * rounds. Writes {@code kafka.jsonl} (one line per fork) and {@code kafka.md}.
 */
final class KafkaSuite {

    static final String JSON = "kafka.jsonl";
    private static final List<String> GUARANTEES = List.of("EXACTLY_ONCE", "AT_LEAST_ONCE");
    private static final int RECORDS = 1_000_000;
    private static final int RATE = 20_000;
    private static final int SECONDS = 20;

    private KafkaSuite() {
    }

    static String run(boolean quick, Path out) throws Exception {
        Path results = out.resolve(JSON);
        Files.deleteIfExists(results);
        for (int round = 0; round < (quick ? 1 : 3); round++) {
            for (String guarantee : GUARANTEES) {
                List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                        "-cp", System.getProperty("java.class.path"), KafkaRun.class.getName(), guarantee,
                        Integer.toString(quick ? 100_000 : RECORDS), Integer.toString(quick ? 2_000 : RATE), Integer.toString(quick ? 5 : SECONDS),
                        results.toAbsolutePath().toString());
                System.out.println("# " + guarantee + ", round " + (round + 1));
                Path log = results.resolveSibling("kafka-forks.log");
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("The fork of " + guarantee + " failed (exit " + p.exitValue() + "): see " + log);
                }
            }
        }
        return report(out);
    }

    static String report(Path out) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<JsonNode>> forks = new LinkedHashMap<>();
        double minLoad = Double.MAX_VALUE;
        double maxLoad = 0;
        for (String line : Files.readAllLines(out.resolve(JSON))) {
            JsonNode n = json.readTree(line);
            forks.computeIfAbsent(n.path("guarantee").asText(), g -> new ArrayList<>()).add(n);
            minLoad = Math.min(minLoad, n.path("load").asDouble());
            maxLoad = Math.max(maxLoad, n.path("load").asDouble());
        }
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, Java %s, Kafka 4.4.0 (one KRaft broker in its own JVM on the same"
                        + " machine); %d forks per row, interleaved; medians of the forks, their range in brackets. Load average as each"
                        + " fork began: %.1f–%.1f.%n%n", LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                forks.values().stream().mapToInt(List::size).max().orElse(0), minLoad, maxLoad));
        md.append(String.format(Locale.ROOT, "**Kafka example**: `key,value` lines from a 4-partition topic, a count per key (%,d keys) in heap"
                + " state, `key:count` lines to a 4-partition topic; parallelism 2, a checkpoint every %d s. Throughput: a bounded job over"
                + " %,d records written beforehand, from its start to its end. Latency: %,d records a second for %d s while the job runs,"
                + " from a record's send to its output's arrival at a `read_committed` consumer.%n%n",
                KafkaRun.KEYS, KafkaRun.CHECKPOINTS.toSeconds(), first(forks, "records"), first(forks, "rate"), first(forks, "seconds")));
        md.append("| delivery | records/s | latency p50 | latency p99 | latency max |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, List<JsonNode>> e : forks.entrySet()) {
            List<JsonNode> f = e.getValue();
            md.append("| ").append(e.getKey().toLowerCase(Locale.ROOT).replace('_', '-')).append(" | ")
                    .append(cell(f, "recordsPerSecond", "%,.0f", "")).append(" | ")
                    .append(cell(f, "latencyP50", "%,.0f", " ms")).append(" | ")
                    .append(cell(f, "latencyP99", "%,.0f", " ms")).append(" | ")
                    .append(cell(f, "latencyMax", "%,.0f", " ms")).append(" |\n");
        }
        return md.toString();
    }

    private static long first(Map<String, List<JsonNode>> forks, String field) {
        return forks.values().iterator().next().get(0).path(field).asLong();
    }

    private static String cell(List<JsonNode> forks, String field, String format, String unit) {
        List<Double> values = new ArrayList<>(forks.stream().map(n -> n.path(field).asDouble()).toList());
        values.sort(null);
        return String.format(Locale.ROOT, format + unit + " [" + format + "–" + format + "]", SavepointSuite.median(values),
                values.get(0), values.get(values.size() - 1));
    }
}
