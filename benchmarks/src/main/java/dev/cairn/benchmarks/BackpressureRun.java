package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.checkpoint.JobMetrics;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One fork of the backpressure comparison: numbers as fast as the job takes them, keyed by
 * {@code x % 10,000} into a count per key, into a sink that waits {@value #SINK_DELAY_MICROS} µs per
 * record, parallelism 2, a checkpoint every second, aligned or unaligned, on Cairn or on Flink
 * (heap state on both). After {@value #WARM_UP} checkpoints (the queues fill), it takes the next
 * ones' durations from trigger to completion, the bytes of records in flight they hold, and the
 * records the sink took per second meanwhile; appends one JSON line to the results file.
 * Arguments: side (cairn|flink), mode (aligned|unaligned), results file, checkpoints to measure.
 */
public final class BackpressureRun {

    static final int SINK_DELAY_MICROS = 20;
    static final int WARM_UP = 3;
    static final long KEYS = 10_000;
    static final int PARALLELISM = 2;
    /** Records the slow sinks took, in this JVM. */
    static final AtomicLong SUNK = new AtomicLong();

    private record Shot(long durationMs, long inFlightBytes) {
    }

    private BackpressureRun() {
    }

    public static void main(String[] args) throws Exception {
        String side = args[0];
        boolean unaligned = args[1].equals("unaligned");
        Path results = Path.of(args[2]);
        int shots = Integer.parseInt(args[3]);
        double load = StateSuite.loadAverage();
        Path dir = Files.createTempDirectory("cairn-backpressure-");
        long[] sunk = new long[2];
        long[] nanos = new long[2];
        List<Shot> measured = side.equals("cairn") ? cairn(unaligned, shots, dir, sunk, nanos) : flink(unaligned, shots, dir, sunk, nanos);
        ObjectNode line = new ObjectMapper().createObjectNode();
        line.put("side", side).put("mode", args[1]).put("loadAverage", load)
                .put("recordsPerSecond", (sunk[1] - sunk[0]) / ((nanos[1] - nanos[0]) / 1e9));
        measured.forEach(s -> line.withArray("durationMs").add(s.durationMs()));
        measured.forEach(s -> line.withArray("inFlightBytes").add(s.inFlightBytes()));
        Files.writeString(results, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Stores.deleteRecursively(dir);
        System.exit(0); // Flink's and Cairn's daemon pools
    }

    private static List<Shot> cairn(boolean unaligned, int shots, Path dir, long[] sunk, long[] nanos) throws Exception {
        JobGraph.Builder builder = JobGraph.builder("backpressure");
        builder.source("numbers", new CairnPipeline.Numbers(Long.MAX_VALUE))
                .keyBy((Long x) -> x % KEYS, Serializers.LONG)
                .process("count", new CairnPipeline.Count())
                .sinkTo("slow", new SlowCairnSink());
        JobConfig config = JobConfig.defaults(dir.toString()).withParallelism(PARALLELISM).withBackend("heap")
                .withRestarts(0, Duration.ofMillis(100))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofSeconds(1)).withUnaligned(unaligned, Duration.ZERO));
        ClassLoader cl = BackpressureRun.class.getClassLoader();
        JobMaster job = new JobMaster(builder.build(), config, new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE,
                System::currentTimeMillis).start();
        awaitCheckpoints(() -> job.metrics().checkpointHistory().size(), WARM_UP, job::failureCause);
        sunk[0] = SUNK.get();
        nanos[0] = System.nanoTime();
        awaitCheckpoints(() -> job.metrics().checkpointHistory().size(), WARM_UP + shots, job::failureCause);
        sunk[1] = SUNK.get();
        nanos[1] = System.nanoTime();
        List<Shot> result = new ArrayList<>();
        List<JobMetrics.CheckpointStats> history = job.metrics().checkpointHistory();
        for (JobMetrics.CheckpointStats c : history.subList(WARM_UP, WARM_UP + shots)) {
            result.add(new Shot(c.durationMillis(), c.inFlightBytes()));
        }
        job.cancel();
        job.await(Duration.ofMinutes(1));
        return result;
    }

    private static List<Shot> flink(boolean unaligned, int shots, Path dir, long[] sunk, long[] nanos) throws Exception {
        // unaligned from the start (timeout 0), as Cairn's runs; buffers and everything else as Flink ships them
        Configuration conf = Configuration.fromMap(Map.of(
                "state.backend.type", "hashmap",
                "execution.checkpointing.storage", "filesystem",
                "execution.checkpointing.dir", dir.toUri().toString(),
                "execution.checkpointing.interval", "1 s",
                "execution.checkpointing.unaligned.enabled", Boolean.toString(unaligned),
                "execution.checkpointing.aligned-checkpoint-timeout", "0 s",
                "web.checkpoints.history", "100")); // the statistics keep 10 checkpoints by default
        try (MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(PARALLELISM).build())) {
            cluster.start();
            StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
            env.setParallelism(PARALLELISM);
            env.fromSequence(0, Long.MAX_VALUE)
                    .keyBy(new FlinkPipeline.ModuloKey(KEYS), Types.LONG)
                    .process(new FlinkPipeline.Count())
                    .sinkTo(new SlowFlinkSink());
            JobID id = cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
            awaitCheckpoints(() -> completed(cluster, id).size(), WARM_UP, () -> null);
            sunk[0] = SUNK.get();
            nanos[0] = System.nanoTime();
            awaitCheckpoints(() -> completed(cluster, id).size(), WARM_UP + shots, () -> null);
            sunk[1] = SUNK.get();
            nanos[1] = System.nanoTime();
            List<Shot> result = new ArrayList<>();
            for (AbstractCheckpointStats c : completed(cluster, id).subList(WARM_UP, WARM_UP + shots)) {
                result.add(new Shot(c.getEndToEndDuration(), c.getPersistedData()));
            }
            cluster.cancelJob(id).get(1, TimeUnit.MINUTES);
            return result;
        }
    }

    /** The job's completed checkpoints, oldest first. */
    private static List<AbstractCheckpointStats> completed(MiniCluster cluster, JobID id) {
        try {
            List<AbstractCheckpointStats> all = new ArrayList<>(cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot().getHistory()
                    .getCheckpoints());
            all.removeIf(c -> c.getStatus() != CheckpointStatsStatus.COMPLETED);
            all.sort((a, b) -> Long.compare(a.getCheckpointId(), b.getCheckpointId()));
            return all;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Count {
        int get() throws Exception;
    }

    private interface Cause {
        Throwable get();
    }

    /** Polls until {@code n} checkpoints completed: however long that takes on this machine. */
    private static void awaitCheckpoints(Count count, int n, Cause cause) throws Exception {
        while (count.get() < n) {
            if (cause.get() != null) {
                throw new IllegalStateException("The job failed", cause.get());
            }
            Thread.sleep(20);
        }
    }

    /** Cairn's slow sink: keeps nothing, waits per record. */
    static final class SlowCairnSink implements TwoPhaseCommitSink<Long, Long> {
        private static final long serialVersionUID = 1L;

        public TypeSerializer<Long> transactionSerializer() {
            return Serializers.LONG;
        }

        public Long beginTransaction() {
            return 0L;
        }

        public void write(Long transaction, Long value) {
            LockSupport.parkNanos(SINK_DELAY_MICROS * 1_000L);
            SUNK.incrementAndGet();
        }

        public void preCommit(Long transaction) {
        }

        public void commit(Long transaction) {
        }

        public void abort(Long transaction) {
        }
    }

    /** Flink's slow sink: the same wait per record. */
    static final class SlowFlinkSink implements Sink<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public SinkWriter<Long> createWriter(WriterInitContext context) throws IOException {
            return new SinkWriter<>() {
                public void write(Long element, Context context) {
                    LockSupport.parkNanos(SINK_DELAY_MICROS * 1_000L);
                    SUNK.incrementAndGet();
                }

                public void flush(boolean endOfInput) {
                }

                public void close() {
                }
            };
        }
    }
}
