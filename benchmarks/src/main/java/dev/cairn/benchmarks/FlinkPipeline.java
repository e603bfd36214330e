package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * The same pipeline on Apache Flink, on a MiniCluster with one task manager and a slot per
 * subtask: {@code fromSequence}, {@code keyBy(x % keys)}, a count per key, a discarding sink,
 * aligned checkpoints every second. Configured as a careful deployment would be: the RocksDB
 * backend with incremental checkpoints and the same memory Cairn's RocksDB gets (256 MiB).
 */
final class FlinkPipeline implements AutoCloseable {

    private final Configuration conf;
    private final MiniCluster cluster;

    FlinkPipeline(String backend, int parallelism, Path checkpoints) throws Exception {
        this.conf = Configuration.fromMap(Map.of(
                "state.backend.type", "heap".equals(backend) ? "hashmap" : "rocksdb",
                "execution.checkpointing.storage", "filesystem",
                "execution.checkpointing.dir", checkpoints.toUri().toString(),
                "execution.checkpointing.incremental", Boolean.toString("rocksdb".equals(backend)),
                "execution.checkpointing.interval", "1 s",
                "taskmanager.memory.managed.size", "256m"));
        this.cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(parallelism).build());
        cluster.start();
    }

    void run(long records, long keys, int parallelism) throws Exception {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.fromSequence(0, records - 1)
                .keyBy(new ModuloKey(keys), Types.LONG)
                .process(new Count())
                .sinkTo(new DiscardingSink<>());
        cluster.executeJobBlocking(env.getStreamGraph().getJobGraph());
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }

    static final class ModuloKey implements KeySelector<Long, Long> {
        private final long keys;

        ModuloKey(long keys) {
            this.keys = keys;
        }

        @Override
        public Long getKey(Long value) {
            return value % keys;
        }
    }

    static final class Count extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            Long c = count.value();
            long next = c == null ? 1 : c + 1;
            count.update(next);
            out.collect(next);
        }
    }
}
