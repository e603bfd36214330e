package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Event- and processing-time timers fire exactly once per registration, across failures and restores. */
class TimersTest {

    static final int EVENTS = 6_000;
    static final int KEYS = 10;

    @TempDir
    Path dir;

    /** Emits 0..n-1 (subtask i the numbers ≡ i mod parallelism) with timestamp = value and watermarks behind. */
    static final class NumberSource implements Source<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public SourceReader<Long> createReader(SourceContext ctx) throws Exception {
            ListState<Long> position = ctx.operatorState().getUnionListState(new ListStateDescriptor<>("next", Serializers.LONG));
            long start = ctx.subtaskIndex();
            for (Long p : position.get()) {
                if (p % ctx.parallelism() == ctx.subtaskIndex()) {
                    start = p;
                }
            }
            long[] next = {start};
            return new SourceReader<>() {
                public boolean pollNext(SourceOutput<Long> out) throws InterruptedException {
                    if (next[0] >= EVENTS) {
                        return false;
                    }
                    Thread.sleep(0, 100_000);
                    out.collect(next[0], next[0]);
                    out.emitWatermark(next[0] - 1);
                    next[0] += ctx.parallelism();
                    return next[0] < EVENTS;
                }

                public void snapshotState(long checkpointId) throws Exception {
                    position.update(List.of(next[0]));
                }
            };
        }
    }

    static final class TimerFunction extends KeyedProcessFunction<Long, Long, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Boolean> processingTimerSet;

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            processingTimerSet = context.getState(new ValueStateDescriptor<>("processing-timer-set", Serializers.BOOLEAN));
        }

        @Override
        public void processElement(Long value, Context<Long> ctx, Collector<String> out) throws Exception {
            ctx.timerService().registerEventTimeTimer(value + 100);
            ctx.timerService().registerEventTimeTimer(value + 200);
            ctx.timerService().deleteEventTimeTimer(value + 200);
            if (processingTimerSet.value() == null) {
                ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 20);
                processingTimerSet.update(true);
            }
        }

        @Override
        public void onTimer(long timestamp, TimerContext<Long> ctx, Collector<String> out) {
            if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
                assertThat(ctx.timerService().currentWatermark()).isGreaterThanOrEqualTo(timestamp);
                out.collect("event," + ctx.getCurrentKey() + "," + timestamp);
            } else {
                out.collect("processing," + ctx.getCurrentKey());
            }
        }
    }

    @ParameterizedTest(name = "{0}, incremental {1}")
    @CsvSource({"heap, false", "heap, true", "rocksdb, false", "rocksdb, true"})
    void timersFireExactlyOnceDespiteFailures(String backend, boolean incremental) throws Exception {
        Path output = dir.resolve("out");
        JobGraph.Builder b = JobGraph.builder("timers");
        b.source("numbers", new NumberSource())
                .keyBy(v -> v % KEYS, Long.class)
                .process("timers", new TimerFunction())
                .sinkTo("sink", new TransactionalFileSink(output));
        RandomFailures failures = new RandomFailures(incremental ? 3 : 4, EVENTS);
        JobMaster job = JobRunner.start(b.build(), JobRunner.config(dir.resolve("snapshots"), 2, incremental, 2).withBackend(backend), failures);
        assertThat(job.await(Duration.ofMinutes(2))).as(JobRunner.messages(job.failureCause())).isEqualTo(JobStatus.FINISHED);

        List<String> expected = new ArrayList<>();
        for (long v = 0; v < EVENTS; v++) {
            expected.add("event," + (v % KEYS) + "," + (v + 100));
        }
        for (long k = 0; k < KEYS; k++) {
            expected.add("processing," + k);
        }
        assertThat(TransactionalFileSink.readCommitted(output)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(failures.failuresInjected()).isGreaterThanOrEqualTo(2);
    }
}
