package dev.cairn.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A keyed job from a Kafka topic to a Kafka topic with transactions, failed in a task, in a
 * checkpoint's asynchronous part and between a checkpoint's commit and the sinks' commits; its
 * committed output must be exactly what one failure-free pass computes.
 */
class KafkaExactlyOnceJobTest {

    static final int KEYS = 40;
    static final int RECORDS = 4_000;

    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        broker = new KafkaBroker();
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
    }

    /** Counts records per key and emits {@code key:count} for each. */
    static final class RunningCount extends KeyedProcessFunction<String, String, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(String line, Context<String> ctx, Collector<String> out) throws Exception {
            long n = count.value() == null ? 1 : count.value() + 1;
            count.update(n);
            out.collect(ctx.getCurrentKey() + ":" + n);
        }
    }

    /** One failure of each kind, at points chosen by the seed. */
    static final class Failures implements FailureInjector {
        private final long record;
        private final long asyncCall;
        private final long commit;
        private final AtomicLong records = new AtomicLong();
        private final AtomicLong asyncCalls = new AtomicLong();
        private final AtomicLong commits = new AtomicLong();
        final AtomicBoolean taskFailed = new AtomicBoolean();
        final AtomicBoolean asyncFailed = new AtomicBoolean();
        final AtomicBoolean commitFailed = new AtomicBoolean();

        Failures(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            record = random.nextLong(1, RECORDS);
            asyncCall = random.nextLong(1, 6);
            commit = random.nextLong(1, 3);
        }

        @Override
        public void check(Point point, String uid, int subtask, long checkpointId) {
            switch (point) {
                case PROCESS_RECORD -> {
                    if (uid.equals("count") && records.incrementAndGet() == record && taskFailed.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure at record " + record);
                    }
                }
                case ASYNC_SNAPSHOT -> {
                    if (asyncCalls.incrementAndGet() == asyncCall && asyncFailed.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure in the asynchronous part of checkpoint " + checkpointId);
                    }
                }
                case AFTER_LEDGER_UPDATE -> {
                    if (commits.incrementAndGet() == commit && commitFailed.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure after checkpoint " + checkpointId + " was committed");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void committedOutputIsExactlyOnceThroughFailures(long seed) throws Exception {
        String in = "in-" + seed;
        String out = "out-" + seed;
        broker.createTopic(in, 4);
        broker.createTopic(out, 3);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 7 + seed) % KEYS + "," + i).toList();
        broker.produce(in, lines);

        JobConfig config = JobConfig.defaults(dir.resolve("snapshots").toString()).withParallelism(2)
                .withRestarts(10, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(40)).withRetained(2));
        Failures failures = new Failures(seed);
        ClassLoader cl = getClass().getClassLoader();
        JobMaster job = new JobMaster(graph("kafka-" + seed, in, out, true), config, new ServiceLoaderPluginRegistry(cl), cl, failures, System::currentTimeMillis).start();

        assertThat(job.await(Duration.ofMinutes(3))).as("final status, cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
        assertThat(broker.readCommitted(out)).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
        assertThat(failures.taskFailed).as("the task failure happened").isTrue();
        assertThat(job.restarts()).isGreaterThanOrEqualTo(1);
    }

    static JobGraph graph(String name, String in, String out, boolean bounded) {
        KafkaSource.Builder<String> source = KafkaSource.builder(KafkaRecordDeserializer.utf8Values())
                .bootstrapServers(broker.bootstrapServers()).topics(in);
        JobGraph.Builder b = JobGraph.builder(name);
        b.source("read", bounded ? source.bounded().build() : source.build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic(out).transactionalIdPrefix(name + "-write").build());
        return b.build();
    }

    private JobMaster start(JobGraph graph, JobConfig config) throws Exception {
        ClassLoader cl = getClass().getClassLoader();
        return new JobMaster(graph, config, new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
    }

    private JobConfig config(int parallelism) {
        return JobConfig.defaults(dir.resolve("snapshots").toString()).withParallelism(parallelism)
                .withRestarts(3, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(40)).withRetained(2));
    }

    /**
     * Half the input is read by two subtasks, the job stops with a savepoint, the rest of the input
     * arrives and three subtasks resume: every partition's offset moves to the subtask that now owns
     * it, keyed counts go on from the savepoint, and the sink's open transactions are settled.
     */
    @Test
    void resumesFromASavepointAtAnotherParallelism() throws Exception {
        broker.createTopic("rescale-in", 6);
        broker.createTopic("rescale-out", 2);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 11) % KEYS + "," + i).toList();
        List<String> expected = expected(lines);
        int half = RECORDS / 2;
        broker.produce("rescale-in", lines.subList(0, half));

        JobMaster first = start(graph("rescale", "rescale-in", "rescale-out", false), config(2));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (broker.readCommitted("rescale-out").size() < half) {
            assertThat(System.nanoTime()).as("the first half committed within two minutes").isLessThan(deadline);
            assertThat(first.status()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(100);
        }
        String savepoint = first.stopWithSavepoint("half").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("rescale-out")).containsExactlyInAnyOrderElementsOf(expected(lines.subList(0, half)));

        broker.produce("rescale-in", lines.subList(half, RECORDS));
        JobMaster second = start(graph("rescale", "rescale-in", "rescale-out", true),
                config(3).withRestore(RestoreSettings.noClaim(savepoint)));
        assertThat(second.await(Duration.ofMinutes(3))).as("cause: %s", second.failureCause()).isEqualTo(JobStatus.FINISHED);
        assertThat(broker.readCommitted("rescale-out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** The broker restarts under a running job: the job fails over or rides it out, and its output stays exactly once. */
    @Test
    void survivesABrokerRestart() throws Exception {
        broker.createTopic("restart-in", 4);
        broker.createTopic("restart-out", 2);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 3) % KEYS + "," + i).toList();
        int half = RECORDS / 2;
        broker.produce("restart-in", lines.subList(0, half));
        JobMaster job = start(graph("restart", "restart-in", "restart-out", false), config(2).withRestarts(50, Duration.ofMillis(200)));
        awaitOutput("restart-out", half / 2, job);
        broker.restart();
        broker.produce("restart-in", lines.subList(half, RECORDS));
        awaitOutput("restart-out", RECORDS, job);
        job.stopWithSavepoint("after").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("restart-out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
    }

    private static void awaitOutput(String topic, int records, JobMaster job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (broker.readCommitted(topic).size() < records) {
            assertThat(System.nanoTime()).as("%s records in %s within three minutes", records, topic).isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isNotIn(JobStatus.FAILED, JobStatus.FINISHED);
            Thread.sleep(100);
        }
    }

    /** Partitions added to the input topic while the job runs are found and read from their start. */
    @Test
    void readsPartitionsAddedWhileRunning() throws Exception {
        broker.createTopic("grow-in", 2);
        broker.createTopic("grow-out", 2);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "k" + (i * 5) % KEYS + "," + i).toList();
        int half = RECORDS / 2;
        broker.produce("grow-in", lines.subList(0, half));
        JobGraph.Builder b = JobGraph.builder("grow");
        b.source("read", KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topics("grow-in").partitionDiscoveryInterval(100).build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic("grow-out").transactionalIdPrefix("grow-write").build());
        JobMaster job = start(b.build(), config(2));
        awaitOutput("grow-out", half, job);
        broker.addPartitions("grow-in", 6);
        // keyed by their key, these records land on all six partitions, the new ones included
        broker.produce("grow-in", lines.subList(half, RECORDS));
        awaitOutput("grow-out", RECORDS, job);
        job.stopWithSavepoint("grown").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("grow-out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
    }

    /** A topic that does not exist yet: the job runs and checkpoints, reading nothing, until it appears. */
    @Test
    void waitsForAMissingTopic() throws Exception {
        broker.createTopic("late-out", 1);
        // unbounded: a bounded source would end where the topic ends when it first sees it, which may be mid-write here
        JobMaster job = start(graph("late", "late-in", "late-out", false), config(2));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (job.lastCompletedCheckpointId() < 3) {
            assertThat(System.nanoTime()).as("three checkpoints within two minutes").isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(20);
        }
        List<String> lines = IntStream.range(0, 500).mapToObj(i -> "k" + i % 7 + "," + i).toList();
        broker.createTopic("late-in", 3);
        broker.produce("late-in", lines);
        awaitOutput("late-out", lines.size(), job);
        job.stopWithSavepoint("done").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("late-out")).hasSize(lines.size()).containsExactlyInAnyOrderElementsOf(expected(lines));
    }

    /** A source whose broker does not answer keeps the job running (and checkpointing) rather than failing it. */
    @Test
    void waitsForAnUnreachableBroker() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        broker.createTopic("unreachable-out", 1);
        JobGraph.Builder b = JobGraph.builder("unreachable");
        b.source("read", KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers("127.0.0.1:" + port)
                        .topics("anything").build())
                .keyBy(line -> line, String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic("unreachable-out").transactionalIdPrefix("unreachable-write").build());
        JobMaster job = start(b.build(), config(1));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (job.lastCompletedCheckpointId() < 3) {
            assertThat(System.nanoTime()).as("three checkpoints within two minutes").isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(20);
        }
        assertThat(job.restarts()).isZero();
        job.cancel();
        assertThat(broker.readCommitted("unreachable-out")).isEmpty();
    }

    /** A source whose credentials are refused fails the job, naming the settings and not the secret. */
    @Test
    void refusedCredentialsFailTheJobNamingTheSettings() throws Exception {
        broker.createTopic("secured-in", 1);
        broker.createTopic("secured-out", 1);
        KafkaSource.Builder<String> source = KafkaSource.builder(KafkaRecordDeserializer.utf8Values())
                .bootstrapServers(broker.saslBootstrapServers()).topics("secured-in");
        KafkaBroker.saslProperties("wrong-password").forEach(source::property);
        JobGraph.Builder b = JobGraph.builder("secured");
        b.source("read", source.build())
                .keyBy(line -> line, String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic("secured-out").transactionalIdPrefix("secured-write").build());
        JobMaster job = start(b.build(), config(1).withRestarts(1, Duration.ofMillis(10)));
        assertThat(job.await(Duration.ofMinutes(2))).isEqualTo(JobStatus.FAILED);
        StringBuilder causes = new StringBuilder();
        for (Throwable t = job.failureCause(); t != null; t = t.getCause()) {
            causes.append(t.getMessage()).append('\n');
        }
        assertThat(causes.toString()).contains("sasl.jaas.config").contains(broker.saslBootstrapServers()).doesNotContain("wrong-password");
    }

    /** What one pass without failures emits: for each key, its count after each of its records. */
    static List<String> expected(List<String> lines) {
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String key = line.substring(0, line.indexOf(','));
            out.add(key + ":" + counts.merge(key, 1, Integer::sum));
        }
        return out;
    }
}
