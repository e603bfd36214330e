package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.connector.kafka.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The throughput of a shared counting job ({@code job.placement=kafka}) with one, two and three
 * platform processes on this machine. Not part of the suite (Surefire runs classes named
 * {@code *Test}); a measurement, run by hand after {@code ./mvnw install -DskipTests}:
 * {@code ./mvnw -o -pl itests surefire:test -Dtest=JobAcrossProcessesFigures}. On a machine
 * with fewer cores than processes it is a functional figure, not a speed-up.
 */
class JobAcrossProcessesFigures {

    private static final int PARTITIONS = 12;
    private static final int RECORDS = 120_000;
    private static final int KEYS = 1_000;

    @Test
    void throughputWithOneTwoAndThreeProcesses() throws Exception {
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 7919L) % KEYS + "," + i).toList();
        List<String> rows = new ArrayList<>();
        for (int processes = 1; processes <= 3; processes++) {
            rows.add(measure(processes, lines));
        }
        System.out.println("processes  records  seconds  records/s (exactly once, checkpoints every 1 s, " + PARTITIONS + " partitions)");
        rows.forEach(System.out::println);
    }

    private static String measure(int count, List<String> lines) throws Exception {
        Path shared = Files.createTempDirectory("cairn-shared-root-");
        List<PlatformProcess> processes = new ArrayList<>();
        try (KafkaBroker broker = new KafkaBroker()) {
            broker.createTopic("in", PARTITIONS);
            broker.createTopic("out", 4);
            for (int i = 0; i < count; i++) {
                PlatformProcess p = PlatformProcess.create();
                processes.add(p);
                for (String jar : List.of("connector-kafka.jar", "examples-kafka.jar")) {
                    p.deploy(PlatformFixture.HOME.resolve("plugins").resolve(jar));
                }
                p.start(null);
                PlatformFixture.await(() -> text(p, "cairn:plugins").contains("kafka-counts"), () -> "the example job's definition");
                p.run("cairn:create counts job.definition=kafka-counts job.placement=kafka checkpoint.interval=1s storage.root=" + shared
                        + " placement.bootstrap.servers=" + broker.bootstrapServers() + " placement.topic=in"
                        + " param.bootstrap=" + broker.bootstrapServers() + " param.input=in param.output=out");
            }
            PlatformFixture.await(() -> processes.stream().allMatch(p -> text(p, "cairn:ranges counts").lines()
                            .filter(l -> l.matches("^\\d+\\s.*")).filter(l -> l.contains("RUNNING")).count() == PARTITIONS / count),
                    () -> "every process running its share of the ranges");
            long started = System.nanoTime();
            broker.produce("in", lines); // keyed: each key's records in one partition
            int out;
            while ((out = broker.readCommitted("out").size()) < lines.size()) {
                Thread.sleep(1_000);
                if (System.nanoTime() - started > 600_000_000_000L) {
                    throw new AssertionError("only " + out + " of " + lines.size() + " records out after 10 minutes");
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(out).isEqualTo(lines.size());
            return String.format("%9d  %7d  %7.1f  %9.0f", count, lines.size(), seconds, lines.size() / seconds);
        } finally {
            for (PlatformProcess p : processes) {
                p.close();
            }
            try (var files = Files.walk(shared)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static String text(PlatformProcess p, String command) {
        try {
            return p.run(command);
        } catch (Exception | AssertionError e) {
            return "";
        }
    }
}
