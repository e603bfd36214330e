package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.cairn.connector.kafka.DeliveryGuarantee;
import dev.cairn.connector.kafka.KafkaBroker;
import dev.cairn.connector.kafka.KafkaRecordDeserializer;
import dev.cairn.connector.kafka.KafkaRecordSerializer;
import dev.cairn.connector.kafka.KafkaSink;
import dev.cairn.connector.kafka.KafkaSource;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One fork of the Kafka example's measurement: a keyed count per key from a 4-partition topic to
 * another, parallelism 2, heap state, a checkpoint every second, against a real broker in its own
 * JVM. Throughput: a bounded job over records written beforehand, from its start to its end.
 * Latency: records written at a steady rate while the job runs, each carrying its send time; the
 * time until a {@code read_committed} consumer sees its output.
 */
public final class KafkaRun {

    static final Duration CHECKPOINTS = Duration.ofSeconds(1);
    static final int KEYS = 10_000;

    /** Counts per key and passes the input's send time on: {@code key:count:sentMillis}. */
    static final class StampedCount extends KeyedProcessFunction<String, String, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Long> count;

        @Override
        public void open(KeyedRuntimeContext context) throws Exception {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }

        @Override
        public void processElement(String line, Context<String> ctx, Collector<String> out) throws Exception {
            Long c = count.value();
            long n = c == null ? 1 : c + 1;
            count.update(n);
            out.collect(ctx.getCurrentKey() + ":" + n + ":" + line.substring(line.lastIndexOf(',') + 1));
        }
    }

    public static void main(String[] args) throws Exception {
        DeliveryGuarantee guarantee = DeliveryGuarantee.valueOf(args[0]);
        int records = Integer.parseInt(args[1]);
        int rate = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        Path results = Path.of(args[4]);
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Path work = Files.createTempDirectory("kafka-run");
        try (KafkaBroker broker = new KafkaBroker()) {
            double perSecond = throughput(broker, guarantee, records, work.resolve("throughput"));
            List<Long> latencies = latency(broker, guarantee, rate, seconds, work.resolve("latency"));
            latencies.sort(null);
            ObjectNode line = new ObjectMapper().createObjectNode().put("guarantee", guarantee.name()).put("records", records)
                    .put("recordsPerSecond", perSecond).put("rate", rate).put("seconds", seconds).put("load", load)
                    .put("latencyP50", ChangelogSuite.percentile(doubles(latencies), 0.50))
                    .put("latencyP99", ChangelogSuite.percentile(doubles(latencies), 0.99))
                    .put("latencyMax", latencies.get(latencies.size() - 1)).put("measured", latencies.size());
            Files.writeString(results, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.exit(0); // the job's and clients' threads
    }

    private static List<Double> doubles(List<Long> values) {
        return values.stream().map(Long::doubleValue).toList();
    }

    private static JobMaster start(KafkaBroker broker, DeliveryGuarantee guarantee, String in, String out, boolean bounded, Path dir)
            throws Exception {
        KafkaSource.Builder<String> source = KafkaSource.builder(KafkaRecordDeserializer.utf8Values()).bootstrapServers(broker.bootstrapServers()).topics(in);
        JobGraph.Builder graph = JobGraph.builder(in);
        graph.source("read", bounded ? source.bounded().build() : source.build())
                .keyBy(line -> line.substring(0, line.indexOf(',')), String.class)
                .process("count", new StampedCount())
                .sinkTo("write", KafkaSink.builder(KafkaRecordSerializer.utf8Values()).bootstrapServers(broker.bootstrapServers())
                        .topic(out).deliveryGuarantee(guarantee).transactionalIdPrefix(in + "-write").build());
        JobConfig config = JobConfig.defaults(dir.toString()).withParallelism(2)
                .withCheckpoints(CheckpointConfig.defaults().withInterval(CHECKPOINTS));
        ClassLoader cl = KafkaRun.class.getClassLoader();
        return new JobMaster(graph.build(), config, new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
    }

    /** Records per second of a bounded job over {@code records} written beforehand, start to end. */
    private static double throughput(KafkaBroker broker, DeliveryGuarantee guarantee, int records, Path dir) throws Exception {
        broker.createTopic("tin", 4);
        broker.createTopic("tout", 4);
        long now = System.currentTimeMillis();
        broker.produce("tin", IntStream.range(0, records).mapToObj(i -> "k" + i % KEYS + "," + i + "," + now).toList());
        long start = System.nanoTime();
        JobMaster job = start(broker, guarantee, "tin", "tout", true, dir);
        if (job.await(Duration.ofMinutes(10)) != JobStatus.FINISHED) {
            throw new IllegalStateException("The throughput job ended " + job.status() + ": " + job.failureCause());
        }
        return records / ((System.nanoTime() - start) / 1e9);
    }

    /** Send-to-visible times (ms) of records written at {@code rate} per second for {@code seconds}. */
    private static List<Long> latency(KafkaBroker broker, DeliveryGuarantee guarantee, int rate, int seconds, Path dir) throws Exception {
        broker.createTopic("lin", 4);
        broker.createTopic("lout", 4);
        JobMaster job = start(broker, guarantee, "lin", "lout", false, dir);
        while (job.lastCompletedCheckpointId() < 1) {
            Thread.sleep(10); // running, with its transactions begun
        }
        int total = rate * seconds;
        Thread sender = new Thread(() -> send(broker, total, rate), "latency-sender");
        sender.start();
        List<Long> latencies = new ArrayList<>(total);
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = IntStream.range(0, 4).mapToObj(i -> new TopicPartition("lout", i)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds + 60L).toNanos();
            while (latencies.size() < total && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    long seen = System.currentTimeMillis();
                    latencies.add(seen - Long.parseLong(r.value().substring(r.value().lastIndexOf(':') + 1)));
                }
            }
        }
        sender.join();
        job.cancel();
        if (latencies.size() < total) {
            throw new IllegalStateException("Only " + latencies.size() + " of " + total + " records came out");
        }
        return latencies;
    }

    private static void send(KafkaBroker broker, int total, int rate) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("linger.ms", "1");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String key = "k" + i % KEYS;
                producer.send(new ProducerRecord<>("lin", key, key + "," + i + "," + System.currentTimeMillis()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
