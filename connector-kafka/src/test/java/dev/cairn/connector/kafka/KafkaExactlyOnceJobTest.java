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
import java.util.Map;
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
        JobMaster job = new JobMaster(graph("kafka-" + seed, in, out, false), config, new ServiceLoaderPluginRegistry(cl), cl, failures, System::currentTimeMillis).start();
        // unbounded: the job checkpoints on until every injected failure happened, however fast it read
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!(failures.taskFailed.get() && failures.asyncFailed.get() && failures.commitFailed.get())
                || broker.readCommitted(out).size() < RECORDS) {
            assertThat(System.nanoTime()).as("all output and the three failures within three minutes").isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isNotIn(JobStatus.FAILED, JobStatus.FINISHED);
            Thread.sleep(50);
        }
        job.stopWithSavepoint("done").get(2, TimeUnit.MINUTES);

        assertThat(broker.readCommitted(out)).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
        assertThat(broker.partitionsWithOpenTransactions(out)).as("transactions of failed attempts aborted").isEmpty();
        assertThat(job.restarts()).as("the task failure restarted the job").isGreaterThanOrEqualTo(1);
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
        assertThat(broker.readCommittedOnceSettled("rescale-out")).containsExactlyInAnyOrderElementsOf(expected(lines.subList(0, half)));

        broker.produce("rescale-in", lines.subList(half, RECORDS));
        JobMaster second = start(graph("rescale", "rescale-in", "rescale-out", true),
                config(3).withRestore(RestoreSettings.noClaim(savepoint)));
        assertThat(second.await(Duration.ofMinutes(3))).as("cause: %s", second.failureCause()).isEqualTo(JobStatus.FINISHED);
        assertThat(broker.readCommittedOnceSettled("rescale-out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(broker.partitionsWithOpenTransactions("rescale-out")).isEmpty();
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
        assertThat(broker.readCommittedOnceSettled("restart-out")).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
    }

    private static void awaitOutput(String topic, int records, JobMaster job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (broker.readCommitted(topic).size() < records) {
            assertThat(System.nanoTime()).as(() -> records + " records in " + topic + " within three minutes; " + diagnosis(topic, job))
                    .isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isNotIn(JobStatus.FAILED, JobStatus.FINISHED);
            Thread.sleep(100);
        }
    }

    /** What tells a job that reads nothing from one whose output stays invisible behind an open transaction. */
    private static String diagnosis(String topic, JobMaster job) {
        try {
            return "committed " + broker.readCommitted(topic).size() + ", partitions with open transactions "
                    + broker.partitionsWithOpenTransactions(topic) + ", job " + job.status() + " emitted " + job.metrics().recordsEmitted()
                    + " records, restarts " + job.restarts() + ", last checkpoint " + job.lastCompletedCheckpointId();
        } catch (Exception e) {
            return "no diagnosis: " + e;
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

    /**
     * LATEST skips what a new job's topics hold when it starts, and nothing else: partitions added
     * later are read from their first record.
     */
    @Test
    void latestAppliesToThePartitionsFoundAtTheStartOnly() throws Exception {
        broker.createTopic("latest-in", 2);
        broker.createTopic("latest-out", 2);
        List<String> before = IntStream.range(0, 300).mapToObj(i -> "k" + i % 9 + ",old" + i).toList();
        List<String> after = IntStream.range(0, 600).mapToObj(i -> "k" + i % 13 + "," + i).toList();
        broker.produce("latest-in", before);
        JobGraph.Builder b = JobGraph.builder("latest");
        b.source("read", KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topics("latest-in").startingOffsets(StartingOffsets.LATEST).partitionDiscoveryInterval(1000).build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic("latest-out").transactionalIdPrefix("latest-write").build());
        JobMaster job = start(b.build(), config(2));
        // barriers come between reads: after the second checkpoint every subtask has read once, so found its partitions
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (job.lastCompletedCheckpointId() < 2) {
            assertThat(System.nanoTime()).as("two checkpoints within two minutes").isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(20);
        }
        broker.produce("latest-in", after.subList(0, 300));
        broker.addPartitions("latest-in", 5);
        // written before the source finds the new partitions (it looks once a second): LATEST there would skip them
        broker.produce("latest-in", after.subList(300, 600));
        awaitOutput("latest-out", after.size(), job);
        job.stopWithSavepoint("done").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("latest-out")).hasSize(after.size()).containsExactlyInAnyOrderElementsOf(expected(after));
    }

    /**
     * Records that retention removed before the job read them fail the job, naming the partition,
     * the offset it wanted and the first one left; with auto.offset.reset=earliest it goes on from there.
     */
    @Test
    void recordsRemovedBeforeTheyWereReadAreNamed() throws Exception {
        broker.createTopic("removed-in", 1);
        broker.createTopic("removed-out", 1);
        List<String> lines = IntStream.range(0, 200).mapToObj(i -> "k" + i % 5 + "," + i).toList();
        broker.produce("removed-in", lines.subList(0, 100));
        JobMaster first = start(removedJob(Map.of()), config(1));
        awaitOutput("removed-out", 100, first);
        String savepoint = first.stopWithSavepoint("at-100").get(2, TimeUnit.MINUTES);
        broker.produce("removed-in", lines.subList(100, 200));
        broker.deleteRecordsBefore("removed-in", 0, 150);

        JobMaster failing = start(removedJob(Map.of()), config(1).withRestarts(0, Duration.ofMillis(10))
                .withRestore(RestoreSettings.noClaim(savepoint)));
        assertThat(failing.await(Duration.ofMinutes(2))).isEqualTo(JobStatus.FAILED);
        StringBuilder causes = new StringBuilder();
        for (Throwable t = failing.failureCause(); t != null; t = t.getCause()) {
            causes.append(t.getMessage()).append('\n');
        }
        assertThat(causes.toString()).contains("removed-in-0 at offset 100").contains("first offset is now 150")
                .contains("auto.offset.reset=earliest");

        JobMaster skipping = start(removedJob(Map.of("auto.offset.reset", "earliest")), config(1).withRestore(RestoreSettings.noClaim(savepoint)));
        List<String> read = new ArrayList<>(lines.subList(0, 100));
        read.addAll(lines.subList(150, 200));
        awaitOutput("removed-out", read.size(), skipping);
        skipping.stopWithSavepoint("done").get(2, TimeUnit.MINUTES);
        assertThat(broker.readCommitted("removed-out")).hasSize(read.size()).containsExactlyInAnyOrderElementsOf(expected(read));
    }

    private static JobGraph removedJob(Map<String, String> properties) {
        KafkaSource.Builder<String> source = KafkaSource.builder(KafkaRecordDeserializer.utf8Values())
                .bootstrapServers(broker.bootstrapServers()).topics("removed-in");
        properties.forEach(source::property);
        JobGraph.Builder b = JobGraph.builder("removed");
        b.source("read", source.build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic("removed-out").transactionalIdPrefix("removed-write").build());
        return b.build();
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
