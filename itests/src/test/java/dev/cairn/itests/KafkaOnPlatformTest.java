package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.connector.kafka.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kafka connector and the Kafka example job dropped into a running platform, against a real
 * broker: the job's committed output is exactly once through task failures and a stop with a
 * savepoint.
 */
class KafkaOnPlatformTest {

    private static final int RECORDS = 6_000;
    private static final int KEYS = 30;

    @Test
    void kafkaJobIsExactlyOnceThroughFailures() throws Exception {
        try (KafkaBroker broker = new KafkaBroker(); PlatformFixture p = PlatformFixture.create()) {
            broker.createTopic("in", 4);
            broker.createTopic("out", 2);
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 13) % KEYS + "," + i).toList();
            int half = RECORDS / 2;
            broker.produce("in", lines.subList(0, half));
            for (String jar : List.of("connector-kafka.jar", "examples-kafka.jar")) {
                Files.copy(PlatformFixture.HOME.resolve("plugins").resolve(jar), p.deploy.resolve(jar));
            }
            p.start();
            PlatformFixture.await(() -> p.bundle("dev.cairn.examples.kafka") != null
                            && p.bundle("dev.cairn.examples.kafka").getState() == org.osgi.framework.Bundle.ACTIVE,
                    () -> "the example job's bundle to start");
            assertThat(p.text("cairn:create counts job.definition=kafka-counts job.parallelism=2 checkpoint.interval=200ms"
                    + " job.restart-delay=100ms job.max-restarts=20 param.bootstrap=" + broker.bootstrapServers()
                    + " param.input=in param.output=out")).isEqualTo("created job counts");
            p.awaitJobState("counts", "RUNNING");

            PlatformFixture.await(() -> broker.readCommitted("out").size() >= half / 2, () -> "output of the first quarter");
            assertThat(p.run("cairn:fail counts")).asString().contains("a failure will hit job counts");
            PlatformFixture.await(() -> p.jobValue("counts", "restarts") instanceof Long r && r == 1, () -> "restart: " + p.safeJob("counts"));
            broker.produce("in", lines.subList(half, RECORDS));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= 3 * RECORDS / 4, () -> "output of three quarters");
            assertThat(p.run("cairn:fail counts")).asString().contains("a failure will hit job counts");
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= RECORDS, () -> "all output: " + p.safeJob("counts"));
            assertThat(p.text("cairn:stop counts done")).startsWith("stopped job counts");

            assertThat(broker.readCommitted("out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
            assertThat(p.jobValue("counts", "restarts")).isEqualTo(2L);
        }
    }

    /**
     * The platform process halts (as kill -9 would: no shutdown, producers gone with their
     * transactions open on the broker) right after the sinks flushed a checkpoint's transactions,
     * or after a checkpoint completed but before its transactions were committed; restarted, it
     * commits what the restored checkpoint holds and aborts the rest.
     */
    @ParameterizedTest(name = "halt at {0}")
    @ValueSource(strings = {"sink.after-precommit@3", "sink.before-commit@2"})
    void kafkaJobIsExactlyOnceThroughAHalt(String crashAt) throws Exception {
        try (KafkaBroker broker = new KafkaBroker(); PlatformProcess platform = PlatformProcess.create()) {
            broker.createTopic("in", 4);
            broker.createTopic("out", 2);
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 17) % KEYS + "," + i).toList();
            broker.produce("in", lines);
            for (String jar : List.of("connector-kafka.jar", "examples-kafka.jar")) {
                Files.copy(PlatformFixture.HOME.resolve("plugins").resolve(jar), platform.home.resolve("deploy").resolve(jar));
            }
            platform.start(crashAt);
            platform.run("cairn:create counts job.definition=kafka-counts job.parallelism=2 checkpoint.interval=100ms"
                    + " job.restart-delay=100ms job.max-restarts=20 param.bootstrap=" + broker.bootstrapServers()
                    + " param.input=in param.output=out");
            PlatformFixture.await(() -> !platform.alive(), () -> "the platform to halt at " + crashAt + ": " + platform.logText());
            assertThat(platform.awaitExit()).as("exit code; log: %s", platform.logText()).isEqualTo(86);
            assertThat(broker.readCommitted("out").size()).as("output before the halt").isLessThan(RECORDS);

            platform.start(null);
            if ("SUSPENDED".equals(platform.jobValue("counts", "state"))) {
                platform.run("cairn:start counts");
            }
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= RECORDS, () -> "all output: " + platform.logText());
            assertThat(platform.run("cairn:stop counts done")).contains("stopped job counts");
            assertThat(broker.readCommitted("out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
        }
    }

    /** For each key, its running count after each of its records, as one failure-free pass emits. */
    private static List<String> expected(List<String> lines) {
        Map<String, Integer> counts = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String key = line.substring(0, line.indexOf(','));
            out.add(key + ":" + counts.merge(key, 1, Integer::sum));
        }
        return out;
    }
}
