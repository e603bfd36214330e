package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Event- and processing-time timers survive rescaling 2 → 3 → 1 (stop with a savepoint, resume with
 * another parallelism): every timer fires exactly once, on the subtask that owns its key group now.
 */
class TimersRescaleTest {

    private static final int SPLITS = 6;

    @TempDir
    Path dir;

    /**
     * The numbers 0..n-1 in {@value #SPLITS} splits (split r: the numbers ≡ r mod 6), each split's
     * position one element of list state, so a rescaled restore hands every split to one subtask.
     * Timestamp = value; the watermark trails the slowest split of the subtask.
     */
    static final class SplitNumberSource implements Source<Long> {
        private static final long serialVersionUID = 1L;

        /**
         * Positions in union list state instead: a restore gives every subtask every position, and
         * each keeps the splits {@code split mod parallelism} assigns it (as Flink's legacy Kafka source did).
         */
        private final boolean union;

        SplitNumberSource(boolean union) {
            this.union = union;
        }

        @Override
        public SourceReader<Long> createReader(SourceContext ctx) throws Exception {
            ListStateDescriptor<String> descriptor = new ListStateDescriptor<>("splits", Serializers.STRING);
            ListState<String> state = union ? ctx.operatorState().getUnionListState(descriptor) : ctx.operatorState().getListState(descriptor);
            List<long[]> splits = new ArrayList<>(); // {split, next}
            for (String s : state.get()) {
                String[] parts = s.split(":");
                long split = Long.parseLong(parts[0]);
                if (!union || split % ctx.parallelism() == ctx.subtaskIndex()) {
                    splits.add(new long[]{split, Long.parseLong(parts[1])});
                }
            }
            if (!ctx.isRestored()) {
                for (int r = ctx.subtaskIndex(); r < SPLITS; r += ctx.parallelism()) {
                    splits.add(new long[]{r, r});
                }
            }
            return new SourceReader<>() {
                public boolean pollNext(SourceOutput<Long> out) throws InterruptedException {
                    Thread.sleep(0, 200_000);
                    boolean more = false;
                    long slowest = Long.MAX_VALUE;
                    for (long[] s : splits) {
                        if (s[1] < TimersTest.EVENTS) {
                            out.collect(s[1], s[1]);
                            s[1] += SPLITS;
                        }
                        more |= s[1] < TimersTest.EVENTS;
                        slowest = Math.min(slowest, s[1]);
                    }
                    if (!splits.isEmpty()) {
                        out.emitWatermark(slowest - 1);
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

    private JobGraph graph(String name, boolean union) {
        JobGraph.Builder b = JobGraph.builder(name);
        b.source("numbers", new SplitNumberSource(union))
                .keyBy(v -> v % TimersTest.KEYS, Long.class)
                .process("timers", new TimersTest.TimerFunction())
                .sinkTo("sink", new TransactionalFileSink(dir.resolve("out")));
        return b.build();
    }

    /** Runs the job from {@code restore} at {@code parallelism}, stops it with a savepoint once it emitted records; its path. */
    private String runAndStop(String name, String backend, boolean union, int parallelism, String restore) throws Exception {
        var config = JobRunner.config(dir.resolve("snapshots"), parallelism, false, 2).withBackend(backend);
        JobMaster job = JobRunner.start(graph(name, union), restore == null ? config : config.withRestore(RestoreSettings.noClaim(restore)));
        long start = job.metrics().recordsEmitted();
        JobRunner.waitUntil(() -> job.metrics().recordsEmitted() >= start + 500 && job.lastCompletedCheckpointId() >= 1,
                "records and a checkpoint at parallelism " + parallelism);
        String savepoint = job.stopWithSavepoint("sp-" + parallelism).get(60, TimeUnit.SECONDS);
        assertThat(job.await(Duration.ofMinutes(1))).isEqualTo(JobStatus.STOPPED);
        return savepoint;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void timersFireExactlyOnceAcrossRescales(String backend) throws Exception {
        rescaleTwoThreeOne(backend, false);
    }

    /** Every split's position reaches every subtask after each rescale; each takes its own, none is lost or read twice. */
    @Test
    void unionListStateGoesWholeToEverySubtaskAcrossRescales() throws Exception {
        rescaleTwoThreeOne("heap", true);
    }

    private void rescaleTwoThreeOne(String backend, boolean union) throws Exception {
        String two = runAndStop("timers", backend, union, 2, null);
        String three = runAndStop("timers", backend, union, 3, two);
        var config = JobRunner.config(dir.resolve("snapshots"), 1, false, 2).withBackend(backend).withRestore(RestoreSettings.noClaim(three));
        JobMaster last = JobRunner.start(graph("timers", union), config);
        assertThat(last.await(Duration.ofMinutes(2))).as(JobRunner.messages(last.failureCause())).isEqualTo(JobStatus.FINISHED);

        List<String> expected = new ArrayList<>();
        for (long v = 0; v < TimersTest.EVENTS; v++) {
            expected.add("event," + (v % TimersTest.KEYS) + "," + (v + 100));
        }
        for (long k = 0; k < TimersTest.KEYS; k++) {
            expected.add("processing," + k);
        }
        assertThat(TransactionalFileSink.readCommitted(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected);
    }
}
