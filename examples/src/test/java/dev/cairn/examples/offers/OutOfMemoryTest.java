package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that runs out of memory fails for good: no restart into the same limit, none of its
 * threads left running, and the platform runs other jobs as before.
 */
class OutOfMemoryTest {

    @TempDir
    Path dir;

    /** Counts per key; at record {@code oomAt} asks for more memory than the JVM can ever give (a real OutOfMemoryError). */
    static final class Counting extends KeyedProcessFunction<Long, Long, String> {
        private static final long serialVersionUID = 1L;
        private final long oomAt;
        private transient ValueState<Long> count;

        Counting(long oomAt) {
            this.oomAt = oomAt;
        }

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(Long value, Context<Long> ctx, Collector<String> out) throws Exception {
            if (value == oomAt) {
                long[] tooLarge = new long[Integer.MAX_VALUE - 16]; // 16 GiB: more than any test JVM's heap
                out.collect("unreachable " + tooLarge.length);
            }
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
            out.collect(value + "," + (c == null ? 1 : c + 1));
        }
    }

    private static JobGraph graph(String name, Path output, long oomAt) {
        JobGraph.Builder b = JobGraph.builder(name);
        b.source("numbers", new TimersTest.NumberSource())
                .keyBy(v -> v % 10, Long.class)
                .process("count", new Counting(oomAt))
                .sinkTo("sink", new TransactionalFileSink(output));
        return b.build();
    }

    @Test
    void aJobOutOfMemoryFailsWithoutRestartsAndLeavesNoThreadBehind() throws Exception {
        JobMaster job = JobRunner.start(graph("oom", dir.resolve("oom-out"), 1_000), JobRunner.config(dir.resolve("oom-snapshots"), 2, true, 2));
        assertThat(job.await(Duration.ofMinutes(2))).isEqualTo(JobStatus.FAILED);
        assertThat(job.restarts()).as("restarts (5 allowed)").isZero();
        assertThat(JobRunner.messages(job.failureCause())).contains("Job oom ran out of memory (Java heap space) and is not restarted")
                .contains("CAIRN_JAVA_OPTS");
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("cairn-oom-")) { // ending, or stuck: a stuck one fails here
                t.join(Duration.ofMinutes(1).toMillis());
                assertThat(t.isAlive()).as("thread %s of the failed job still running", t.getName()).isFalse();
            }
        }

        Path output = dir.resolve("next-out");
        JobMaster next = JobRunner.start(graph("next", output, -1), JobRunner.config(dir.resolve("next-snapshots"), 2, true, 2));
        assertThat(next.await(Duration.ofMinutes(2))).as(JobRunner.messages(next.failureCause())).isEqualTo(JobStatus.FINISHED);
        List<String> expected = new ArrayList<>();
        long[] counts = new long[10];
        for (long v = 0; v < TimersTest.EVENTS; v++) {
            expected.add(v + "," + ++counts[(int) (v % 10)]);
        }
        assertThat(TransactionalFileSink.readCommitted(output)).containsExactlyInAnyOrderElementsOf(expected);
    }
}
