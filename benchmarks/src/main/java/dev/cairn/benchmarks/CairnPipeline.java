package dev.cairn.benchmarks;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
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
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The pipeline on Cairn's runtime, embedded: numbers 0..n-1 from a checkpointed source, keyed by
 * {@code x % keys}, a count per key in a {@code ValueState<Long>}, a sink that discards.
 */
final class CairnPipeline {

    private CairnPipeline() {
    }

    static void run(String backend, long records, long keys, int parallelism, Path storage) throws Exception {
        JobGraph.Builder builder = JobGraph.builder("pipeline");
        builder.source("numbers", new Numbers(records))
                .keyBy((Long x) -> x % keys, Serializers.LONG)
                .process("count", new Count())
                .sinkTo("discard", new Discard());
        JobGraph graph = builder.build();
        JobConfig config = JobConfig.defaults(storage.toString()).withParallelism(parallelism).withBackend(backend)
                .withRestarts(0, Duration.ofMillis(100))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofSeconds(1)).withIncremental("rocksdb".equals(backend)));
        ClassLoader cl = CairnPipeline.class.getClassLoader();
        JobMaster job = new JobMaster(graph, config, new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE,
                System::currentTimeMillis).start();
        JobStatus status = job.await(Duration.ofHours(2));
        if (status != JobStatus.FINISHED) {
            throw new IllegalStateException("The pipeline ended " + status, job.failureCause());
        }
    }

    /** Subtask i of p emits i, i + p, i + 2p, ...; its position is operator state. */
    static final class Numbers implements Source<Long> {
        private static final long serialVersionUID = 1L;
        private final long records;

        Numbers(long records) {
            this.records = records;
        }

        @Override
        public SourceReader<Long> createReader(SourceContext context) throws Exception {
            ListState<Long> position = context.operatorState().getListState(new ListStateDescriptor<>("next", Serializers.LONG));
            long start = context.subtaskIndex();
            for (Long restored : position.get()) {
                start = restored;
            }
            long first = start;
            int step = context.parallelism();
            return new SourceReader<>() {
                long next = first;

                @Override
                public boolean pollNext(SourceOutput<Long> output) {
                    if (next >= records) {
                        return false;
                    }
                    output.collect(next);
                    next += step;
                    return next < records;
                }

                @Override
                public void snapshotState(long checkpointId) throws Exception {
                    position.update(List.of(next));
                }
            };
        }
    }

    static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(Long value, Context<Long> ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            long next = c == null ? 1 : c + 1;
            count.update(next);
            out.collect(next);
        }
    }

    /** Takes part in checkpoints as every sink does, and keeps nothing. */
    static final class Discard implements TwoPhaseCommitSink<Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public TypeSerializer<Long> transactionSerializer() {
            return Serializers.LONG;
        }

        @Override
        public Long beginTransaction() {
            return 0L;
        }

        @Override
        public void write(Long transaction, Long value) {
        }

        @Override
        public void preCommit(Long transaction) {
        }

        @Override
        public void commit(Long transaction) {
        }

        @Override
        public void abort(Long transaction) {
        }
    }
}
