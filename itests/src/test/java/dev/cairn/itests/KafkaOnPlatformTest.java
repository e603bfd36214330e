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
 * broker: the job's committed output is exactly once through task failures, a live rescale, an
 * update of the connector bundle, halts of the platform process and a stop with a savepoint.
 */
class KafkaOnPlatformTest {

    private static final int RECORDS = 6_000;
    private static final int KEYS = 30;

    /**
     * Each failure is asked for while the job is idle and hits at the first record of the next
     * quarter of the input, so that it happens whatever the speed of the machine.
     */
    @Test
    void kafkaJobIsExactlyOnceThroughFailuresAndALiveRescale() throws Exception {
        try (KafkaBroker broker = new KafkaBroker(); PlatformFixture p = PlatformFixture.create()) {
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 13) % KEYS + "," + i).toList();
            int quarter = RECORDS / 4;
            startCountsJob(broker, p, lines.subList(0, quarter));
            p.awaitJobState("counts", "RUNNING");
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= quarter, () -> "output of the first quarter");

            assertThat(p.run("cairn:fail counts")).asString().contains("a failure will hit job counts");
            broker.produce("in", lines.subList(quarter, 2 * quarter));
            PlatformFixture.await(() -> p.jobValue("counts", "restarts") instanceof Long r && r == 1, () -> "restart: " + p.safeJob("counts"));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= 2 * quarter, () -> "output of the second quarter");

            // a live rescale: the four partitions and the sink's transactions move from two subtasks to three
            p.run("cairn:set counts job.parallelism=3");
            PlatformFixture.await(() -> p.runningWith("counts", "parallelism", 3),
                    () -> "job counts running with parallelism 3: " + p.safeJob("counts"));
            long restartsBefore = (Long) p.jobValue("counts", "restarts");
            assertThat(p.run("cairn:fail counts")).asString().contains("a failure will hit job counts");
            broker.produce("in", lines.subList(2 * quarter, 3 * quarter));
            PlatformFixture.await(() -> p.jobValue("counts", "restarts") instanceof Long r && r == restartsBefore + 1,
                    () -> "restart at parallelism 3: " + p.safeJob("counts"));
            broker.produce("in", lines.subList(3 * quarter, RECORDS));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= RECORDS, () -> "all output: " + p.safeJob("counts"));
            assertThat(p.text("cairn:stop counts done")).startsWith("stopped job counts");

            assertThat(broker.readCommitted("out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
            assertThat(broker.partitionsWithOpenTransactions("out")).as("no transaction left open").isEmpty();
            assertThat(p.jobValue("counts", "parallelism")).isEqualTo(3);
        }
    }

    /**
     * A new revision of the connector bundle arrives in {@code deploy/} under the running job: the
     * job bundle that imports it is rewired to it, the job comes back on it, and the output stays
     * exactly once.
     */
    @Test
    void kafkaJobFollowsAnUpdateOfTheConnectorBundle() throws Exception {
        try (KafkaBroker broker = new KafkaBroker(); PlatformFixture p = PlatformFixture.create()) {
            List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 7) % KEYS + "," + i).toList();
            int half = RECORDS / 2;
            startCountsJob(broker, p, lines.subList(0, half));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= half / 2, () -> "output of the first quarter: " + p.safeJob("counts"));

            Path v2 = HotDeployTest.withVersion(PlatformFixture.HOME.resolve("plugins").resolve("connector-kafka.jar"),
                    p.root.resolve("connector-kafka-v2.jar"), "0.1.1.itest");
            HotDeployTest.drop(v2, p.deploy.resolve("connector-kafka.jar"));
            PlatformFixture.await(() -> connectorVersionOfTheJobBundle(p).equals("0.1.1.itest") && "RUNNING".equals(p.jobValue("counts", "state")),
                    () -> "the job to run on the connector 0.1.1: " + p.safeJob("counts"));
            broker.produce("in", lines.subList(half, RECORDS));
            PlatformFixture.await(() -> broker.readCommitted("out").size() >= RECORDS, () -> "all output: " + p.safeJob("counts"));
            assertThat(p.text("cairn:stop counts done")).startsWith("stopped job counts");
            assertThat(broker.readCommitted("out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
        }
    }

    /**
     * Topics {@code in} (4 partitions, holding {@code firstLines}) and {@code out}; the connector and
     * the example job dropped into {@code deploy/} of a starting platform; job {@code counts} created.
     */
    private static void startCountsJob(KafkaBroker broker, PlatformFixture p, List<String> firstLines) throws Exception {
        broker.createTopic("in", 4);
        broker.createTopic("out", 2);
        broker.produce("in", firstLines);
        deployKafkaJars(p.deploy);
        p.start();
        PlatformFixture.await(() -> p.bundle("dev.cairn.examples.kafka") != null
                && p.bundle("dev.cairn.examples.kafka").getState() == org.osgi.framework.Bundle.ACTIVE, () -> "the example job's bundle");
        assertThat(p.text("cairn:create counts job.definition=kafka-counts job.parallelism=2 checkpoint.interval=200ms"
                + " job.restart-delay=100ms job.max-restarts=20 param.bootstrap=" + broker.bootstrapServers()
                + " param.input=in param.output=out")).isEqualTo("created job counts");
    }

    private static void deployKafkaJars(Path deploy) throws java.io.IOException {
        for (String jar : List.of("connector-kafka.jar", "examples-kafka.jar")) {
            Files.copy(PlatformFixture.HOME.resolve("plugins").resolve(jar), deploy.resolve(jar));
        }
    }

    /** The version of the connector bundle the example job's bundle is wired to now. */
    private static String connectorVersionOfTheJobBundle(PlatformFixture p) {
        org.osgi.framework.Bundle job = p.bundle("dev.cairn.examples.kafka");
        org.osgi.framework.wiring.BundleWiring wiring = job == null ? null : job.adapt(org.osgi.framework.wiring.BundleWiring.class);
        if (wiring == null) {
            return "";
        }
        return wiring.getRequiredWires("osgi.wiring.package").stream()
                .filter(w -> "dev.cairn.connector.kafka".equals(w.getCapability().getAttributes().get("osgi.wiring.package")))
                .map(w -> w.getProvider().getBundle().getVersion().toString()).findFirst().orElse("");
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
            deployKafkaJars(platform.home.resolve("deploy"));
            platform.start(crashAt);
            platform.run("cairn:create counts job.definition=kafka-counts job.parallelism=2 checkpoint.interval=100ms"
                    + " job.restart-delay=100ms job.max-restarts=20 param.bootstrap=" + broker.bootstrapServers()
                    + " param.input=in param.output=out");
            PlatformFixture.await(() -> !platform.alive(), () -> "the platform to halt at " + crashAt + ": " + platform.logText());
            assertThat(platform.awaitExit()).as("exit code; log: %s", platform.logText()).isEqualTo(137); // killed by SIGKILL (dev.cairn.core.internal.crash.CrashPoint)
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
    static List<String> expected(List<String> lines) {
        Map<String, Integer> counts = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String key = line.substring(0, line.indexOf(','));
            out.add(key + ":" + counts.merge(key, 1, Integer::sum));
        }
        return out;
    }
}
