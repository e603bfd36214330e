package dev.cairn.examples.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobClient;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.core.embedded.EmbeddedCairn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the job's keyed function on the embedded runtime, between a source and a sink kept in
 * memory, as a job's own tests can: no broker, no platform.
 */
class RunningCountTest {

    static final Map<String, List<String>> COMMITTED = new ConcurrentHashMap<>();

    /** Replays a fixed list; its position is operator state. One subtask reads everything. */
    static final class ListSource implements Source<String> {
        private static final long serialVersionUID = 1L;
        private final List<String> lines;

        ListSource(List<String> lines) {
            this.lines = new ArrayList<>(lines);
        }

        @Override
        public SourceReader<String> createReader(dev.cairn.api.job.SourceContext context) throws Exception {
            ListState<Long> position = context.operatorState().getListState(new ListStateDescriptor<>("position", Serializers.LONG));
            long[] next = {0};
            position.get().forEach(p -> next[0] = p);
            boolean mine = context.subtaskIndex() == 0;
            return new SourceReader<>() {
                @Override
                public boolean pollNext(SourceOutput<String> output) {
                    if (!mine || next[0] >= lines.size()) {
                        return false;
                    }
                    output.collect(lines.get((int) next[0]++));
                    return true;
                }

                @Override
                public void snapshotState(long checkpointId) throws Exception {
                    position.update(List.of(next[0]));
                }
            };
        }
    }

    /** Keeps each transaction's records in memory; a commit makes them visible once. */
    static final class MemorySink implements TwoPhaseCommitSink<String, String> {
        private static final long serialVersionUID = 1L;
        static final Map<String, List<String>> OPEN = new ConcurrentHashMap<>();

        @Override
        public TypeSerializer<String> transactionSerializer() {
            return Serializers.STRING;
        }

        @Override
        public String beginTransaction() {
            String id = java.util.UUID.randomUUID().toString();
            OPEN.put(id, new ArrayList<>());
            return id;
        }

        @Override
        public void write(String txn, String value) {
            OPEN.get(txn).add(value);
        }

        @Override
        public void preCommit(String txn) {
        }

        @Override
        public void commit(String txn) {
            List<String> records = OPEN.remove(txn);
            if (records != null) {
                COMMITTED.put(txn, records);
            }
        }

        @Override
        public void abort(String txn) {
            OPEN.remove(txn);
        }
    }

    @Test
    void countsEachKeyOnce(@TempDir Path dir) throws Exception {
        List<String> lines = IntStream.range(0, 2_000).mapToObj(i -> "k" + i % 10 + "," + i).toList();
        JobGraph.Builder graph = JobGraph.builder("counts");
        graph.source("read", new ListSource(lines))
                .keyBy(RunningCount::keyOf, String.class)
                .process("count", new RunningCount())
                .sinkTo("write", new MemorySink());
        JobClient job = EmbeddedCairn.start(graph.build(), JobConfig.defaults(dir.toString()).withParallelism(2)
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(20))));
        assertEquals(JobStatus.FINISHED, job.await(Duration.ofMinutes(1)));

        Map<String, Long> lastCount = new TreeMap<>();
        COMMITTED.values().stream().flatMap(List::stream).forEach(out -> {
            String[] keyAndCount = out.split(":");
            lastCount.merge(keyAndCount[0], Long.parseLong(keyAndCount[1]), Math::max);
        });
        Map<String, Long> expected = lines.stream().collect(Collectors.groupingBy(RunningCount::keyOf, TreeMap::new, Collectors.counting()));
        assertEquals(expected, lastCount);
        assertEquals(lines.size(), COMMITTED.values().stream().mapToInt(List::size).sum());
    }
}
