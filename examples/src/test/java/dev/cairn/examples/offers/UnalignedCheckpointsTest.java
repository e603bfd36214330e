package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unaligned checkpoints under backpressure: a slow keyed count feeding a slow sink and a fast one
 * (neither sink chained, so records queue before the count and before each sink). Every failure is
 * injected right after a checkpoint that holds records in flight completed, so each recovery
 * replays them; the output of both sinks must be exactly what the numbers imply.
 */
class UnalignedCheckpointsTest {

    private static final int RECORDS = 20_000;
    private static final int SPLITS = 6;
    private static final int KEYS = 97;
    /** Sources hold back their last records while their job's flag is set, so the job runs until the test has seen enough. */
    private static final Map<String, AtomicBoolean> HOLD = new ConcurrentHashMap<>();

    @TempDir
    Path dir;

    /** The numbers 0..n-1 in {@value #SPLITS} splits (split r: numbers ≡ r mod 6), a split's position one element of list state. */
    static final class SplitNumbers implements Source<Long> {
        private static final long serialVersionUID = 1L;
        private final String hold;

        SplitNumbers(String hold) {
            this.hold = hold;
        }

        @Override
        public SourceReader<Long> createReader(SourceContext ctx) throws Exception {
            ListState<String> state = ctx.operatorState().getListState(new ListStateDescriptor<>("splits", Serializers.STRING));
            List<long[]> splits = new ArrayList<>();
            for (String s : state.get()) {
                String[] parts = s.split(":");
                splits.add(new long[]{Long.parseLong(parts[0]), Long.parseLong(parts[1])});
            }
            if (!ctx.isRestored()) {
                for (int r = ctx.subtaskIndex(); r < SPLITS; r += ctx.parallelism()) {
                    splits.add(new long[]{r, r});
                }
            }
            return new SourceReader<>() {
                public boolean pollNext(SourceOutput<Long> out) throws InterruptedException {
                    boolean held = HOLD.get(hold).get();
                    boolean more = false;
                    for (long[] s : splits) {
                        if (s[1] < RECORDS && !(held && s[1] >= RECORDS - SPLITS)) {
                            out.collect(s[1]);
                            s[1] += SPLITS;
                        }
                        more |= s[1] < RECORDS;
                    }
                    if (held) {
                        Thread.sleep(0, 100_000);
                    }
                    return more;
                }

                public void snapshotState(long checkpointId) throws Exception {
                    List<String> positions = new ArrayList<>();
                    splits.forEach(s -> positions.add(s[0] + ":" + s[1]));
                    state.update(positions);
                }
            };
        }
    }

    /** Counts per key, slowly: "key,count" for every number. */
    static final class SlowCount extends KeyedProcessFunction<Long, Long, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(Long value, Context<Long> ctx, Collector<String> out) throws Exception {
            LockSupport.parkNanos(10_000);
            Long c = count.value();
            long next = c == null ? 1 : c + 1;
            count.update(next);
            out.collect(ctx.getCurrentKey() + "," + next);
        }
    }

    /** The file sink, slower than its input. */
    static final class SlowSink implements TwoPhaseCommitSink<String, String> {
        private static final long serialVersionUID = 1L;
        private final TransactionalFileSink files;

        SlowSink(Path directory) {
            this.files = new TransactionalFileSink(directory);
        }

        public TypeSerializer<String> transactionSerializer() {
            return files.transactionSerializer();
        }

        public void open(int subtaskIndex, int parallelism) throws Exception {
            files.open(subtaskIndex, parallelism);
        }

        public String beginTransaction() throws Exception {
            return files.beginTransaction();
        }

        public void write(String txn, String value) throws Exception {
            LockSupport.parkNanos(20_000);
            files.write(txn, value);
        }

        public void preCommit(String txn) throws Exception {
            files.preCommit(txn);
        }

        public void commit(String txn) throws Exception {
            files.commit(txn);
        }

        public void abort(String txn) throws Exception {
            files.abort(txn);
        }

        public void abortLingering(Collection<String> restored) throws Exception {
            files.abortLingering(restored);
        }
    }

    private JobGraph graph(String name) {
        JobGraph.Builder b = JobGraph.builder(name);
        var counts = b.source("numbers", new SplitNumbers(name)).keyBy(v -> v % KEYS, Long.class).process("count", new SlowCount());
        counts.sinkTo("slow-sink", new SlowSink(dir.resolve("slow")));
        counts.sinkTo("sink", new TransactionalFileSink(dir.resolve("fast")));
        return b.build();
    }

    private JobConfig config(String backend, int parallelism, int restarts) {
        return JobConfig.defaults(dir.resolve("snapshots").toString()).withParallelism(parallelism).withBackend(backend)
                .withRestarts(restarts, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(20)).withRetained(2)
                        .withIncremental("rocksdb".equals(backend)).withUnaligned(true, Duration.ZERO));
    }

    /**
     * Fails the attempt right after each of the first {@code limit} checkpoints holding records in
     * flight to operator {@code operator} completed.
     */
    private static final class FailAfterInFlightCheckpoints implements FailureInjector {
        final AtomicReference<JobMaster> job = new AtomicReference<>();
        final AtomicInteger failed = new AtomicInteger();
        private final int limit;
        private final String operator;

        FailAfterInFlightCheckpoints(int limit, String operator) {
            this.limit = limit;
            this.operator = operator;
        }

        @Override
        public void check(Point point, String uid, int subtask, long checkpointId) {
            JobMaster j = job.get();
            if (point == Point.AFTER_LEDGER_UPDATE && j != null && failed.get() < limit && holdsRecordsInFlight(j, checkpointId)) {
                failed.incrementAndGet();
                throw new IllegalStateException("injected failure after checkpoint " + checkpointId + ", which holds records in flight"
                        + " to '" + operator + "'");
            }
        }

        private boolean holdsRecordsInFlight(JobMaster j, long checkpointId) {
            var entry = j.snapshotLedger().recoveryPoint().orElse(null);
            if (entry == null || entry.id() != checkpointId) {
                return false;
            }
            try {
                SnapshotMetadata.OperatorSnapshot op = j.snapshotCatalog().load(entry.directory()).metadata().operator(operator);
                return op.subtasks().stream().anyMatch(st -> st.inFlight() != null);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private JobMaster start(String name, JobConfig config, FailAfterInFlightCheckpoints failures) throws Exception {
        JobMaster job = JobRunner.start(graph(name), config, failures);
        failures.job.set(job);
        return job;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void recoveriesFromCheckpointsHoldingRecordsInFlightLoseAndRepeatNothing(String backend) throws Exception {
        HOLD.put("unaligned", new AtomicBoolean(true));
        FailAfterInFlightCheckpoints failures = new FailAfterInFlightCheckpoints(3, "count");
        JobMaster job = start("unaligned", config(backend, 2, 10), failures);
        JobRunner.waitUntil(() -> failures.failed.get() == 3 || job.status() == JobStatus.FAILED,
                "three recoveries from checkpoints with records in flight; " + job.status() + " " + JobRunner.messages(job.failureCause()));
        HOLD.get("unaligned").set(false);

        assertThat(job.await(Duration.ofMinutes(3))).as(JobRunner.messages(job.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertThat(failures.failed).hasValue(3);
        assertThat(job.restarts()).isEqualTo(3);
        assertExactlyTheExpectedOutput();
    }

    /** Each stage fails right after a checkpoint with records in flight; the next one starts from it at another parallelism. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void recordsInFlightAreRoutedToTheirNewSubtasksAcrossRescales(String backend) throws Exception {
        String two = failAfterAnInFlightCheckpoint("rescale-2", backend, 2, null);
        String three = failAfterAnInFlightCheckpoint("rescale-3", backend, 3, two);
        HOLD.put("rescale-1", new AtomicBoolean(false));
        JobMaster last = JobRunner.start(graph("rescale-1"), config(backend, 1, 0).withRestore(RestoreSettings.noClaim(three)));
        assertThat(last.await(Duration.ofMinutes(3))).as(JobRunner.messages(last.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
    }

    /**
     * A checkpoint triggered while an aligned savepoint is still pending is aligned too: announced,
     * its barrier would overtake the savepoint's, and a sink would pre-commit the two in the wrong order.
     */
    @org.junit.jupiter.api.Test
    void aCheckpointTriggeredWhileASavepointIsPendingStaysAligned() throws Exception {
        HOLD.put("savepoint-pending", new AtomicBoolean(true));
        java.util.concurrent.CountDownLatch checkpointTriggered = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<JobMaster> self = new AtomicReference<>();
        AtomicLong savepointId = new AtomicLong(-1);
        // the savepoint's snapshot is held until the checkpoint was triggered: it is pending then, however fast the machine
        JobMaster job = JobRunner.start(graph("savepoint-pending"), config("heap", 2, 0).withCheckpoints(CheckpointConfig.defaults()
                .withInterval(Duration.ofHours(1)).withUnaligned(true, Duration.ZERO)), (point, uid, subtask, id) -> {
            if (point == FailureInjector.Point.ASYNC_SNAPSHOT && id == savepointId.get()) {
                try {
                    checkpointTriggered.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        self.set(job);
        JobRunner.waitUntil(() -> job.metrics().recordsEmitted() > 1_000, "records");
        long unalignedId = job.triggerCheckpoint().get(1, java.util.concurrent.TimeUnit.MINUTES);
        savepointId.set(unalignedId + 1);
        var savepoint = job.triggerSavepoint("pending");
        var checkpoint = job.triggerCheckpoint();
        checkpointTriggered.countDown();
        savepoint.get(1, java.util.concurrent.TimeUnit.MINUTES);
        long alignedId = checkpoint.get(1, java.util.concurrent.TimeUnit.MINUTES);
        assertThat(alignedId).isEqualTo(unalignedId + 2);
        var stats = job.metrics().checkpointHistory();
        assertThat(stats).filteredOn(c -> c.id() == unalignedId).singleElement()
                .satisfies(c -> assertThat(c.unalignedSubtasks()).as("the first checkpoint, nothing pending").isPositive());
        assertThat(stats).filteredOn(c -> c.id() == alignedId).singleElement()
                .satisfies(c -> assertThat(c.unalignedSubtasks()).as("the checkpoint triggered behind the savepoint").isZero());
        HOLD.get("savepoint-pending").set(false);
        assertThat(job.await(Duration.ofMinutes(3))).as(JobRunner.messages(job.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
    }

    private String failAfterAnInFlightCheckpoint(String name, String backend, int parallelism, String restore) throws Exception {
        HOLD.put(name, new AtomicBoolean(true));
        FailAfterInFlightCheckpoints failures = new FailAfterInFlightCheckpoints(1, "count");
        JobConfig config = config(backend, parallelism, 0);
        JobMaster job = start(name, restore == null ? config : config.withRestore(RestoreSettings.noClaim(restore)), failures);
        assertThat(job.await(Duration.ofMinutes(3))).as("ends with the injected failure").isEqualTo(JobStatus.FAILED);
        assertThat(failures.failed).hasValue(1);
        var checkpoint = job.snapshotLedger().recoveryPoint().orElseThrow();
        // a platform that cannot replay records in flight must refuse the snapshot, not drop them
        assertThat(java.nio.file.Files.readString(dir.resolve("snapshots").resolve(checkpoint.directory()).resolve("_metadata")))
                .contains("\"formatVersion\" : 3");
        return checkpoint.directory();
    }

    private void assertExactlyTheExpectedOutput() throws Exception {
        long[] perKey = new long[KEYS];
        List<String> expected = new ArrayList<>();
        for (long v = 0; v < RECORDS; v++) {
            int k = (int) (v % KEYS);
            expected.add(k + "," + ++perKey[k]);
        }
        assertThat(TransactionalFileSink.readCommitted(dir.resolve("slow"))).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(TransactionalFileSink.readCommitted(dir.resolve("fast"))).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }
}
