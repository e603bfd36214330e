package dev.cairn.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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

        JobGraph.Builder b = JobGraph.builder("kafka-" + seed);
        b.source("read", KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topics(in).bounded().build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new RunningCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic(out).transactionalIdPrefix("kafka-" + seed + "-write").build());
        JobConfig config = JobConfig.defaults(dir.resolve("snapshots").toString()).withParallelism(2)
                .withRestarts(10, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(40)).withRetained(2));
        Failures failures = new Failures(seed);
        ClassLoader cl = getClass().getClassLoader();
        JobMaster job = new JobMaster(b.build(), config, new ServiceLoaderPluginRegistry(cl), cl, failures, System::currentTimeMillis).start();

        assertThat(job.await(Duration.ofMinutes(3))).as("final status, cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
        assertThat(broker.readCommitted(out)).hasSize(RECORDS).containsExactlyInAnyOrderElementsOf(expected(lines));
        assertThat(failures.taskFailed).as("the task failure happened").isTrue();
        assertThat(job.restarts()).isGreaterThanOrEqualTo(1);
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
