package dev.cairn.connector.kafka;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node KRaft cluster (broker and controller in one process, {@code kafka.Kafka}) in its
 * own JVM on this test's class path, on free loopback ports, with its data in a temporary
 * directory; {@link #restart()} stops and starts it on the same ports and data.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final int port;
    /** A second listener that wants SASL/PLAIN as {@link #SASL_USER} with {@link #SASL_PASSWORD}. */
    private final int saslPort;
    public static final String SASL_USER = "cairn";
    public static final String SASL_PASSWORD = "right-password";
    private Process process;

    public KafkaBroker() throws Exception {
        dir = Files.createTempDirectory("kafka-broker");
        port = freePort();
        saslPort = freePort();
        int controllerPort = freePort();
        config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort,
                "sasl.enabled.mechanisms=PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " user_" + SASL_USER + "=\"" + SASL_PASSWORD + "\";",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.two.phase.commit.enable=true",
                "auto.create.topics.enable=false",
                "group.initial.rebalance.delay.ms=0",
                ""));
        run("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString(), "--standalone");
        start();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private ProcessBuilder java(String main, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()));
    }

    private void run(String main, String... args) throws Exception {
        Process p = java(main, args).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException(main + " failed: see " + dir.resolve("broker.log"));
        }
    }

    /** Starts the broker and returns once it answers. */
    void start() throws Exception {
        process = java("kafka.Kafka", config.toString()).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers(), "request.timeout.ms", "2000",
                "default.api.timeout.ms", "3000"))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The Kafka broker exited with " + process.exitValue() + ": see " + dir.resolve("broker.log"));
                }
                try {
                    admin.describeCluster().nodes().get();
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The Kafka broker did not answer: see " + dir.resolve("broker.log"), e);
                    }
                }
            }
        }
    }

    /** Stops the broker (as a shutdown would) and starts it again on the same ports and data. */
    public void restart() throws Exception {
        stopProcess();
        start();
    }

    private void stopProcess() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The listener that wants SASL/PLAIN credentials. */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + saslPort;
    }

    /** Client properties for the SASL listener with {@code password}. */
    public static Map<String, String> saslProperties(String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + SASL_USER
                        + "\" password=\"" + password + "\";");
    }

    public void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
            awaitLeaders(admin, name, partitions);
        }
    }

    public void addPartitions(String topic, int total) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get();
            awaitLeaders(admin, topic, total);
        }
    }

    /** Until every partition has a leader: a producer may otherwise hold records for a new partition until they time out. */
    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            Object seen;
            try {
                var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
                if (description.partitions().size() == partitions && description.partitions().stream().allMatch(p -> p.leader() != null
                        && !p.leader().isEmpty())) {
                    return;
                }
                seen = description;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                seen = e.getCause().getMessage(); // the broker's metadata does not hold the new topic yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions of " + topic + " without a leader after a minute: " + seen);
            }
            Thread.sleep(20);
        }
    }

    /**
     * Writes {@code key,value} lines keyed by their key, so that one key's records stay in order in
     * one partition. A loaded machine showed a producer holding a batch for a partition added
     * moments before until it expired, never sent (its metadata for the new partition stuck): records
     * that time out unsent go again, in their order, through a new producer with fresh metadata.
     * Every other failure fails the test here, not as missing output later.
     */
    public void produce(String topic, List<String> lines) throws Exception {
        List<String> pending = lines;
        for (int attempt = 1; ; attempt++) {
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrapServers());
            p.put("acks", "all");
            p.put("delivery.timeout.ms", "30000");
            p.put("request.timeout.ms", "10000");
            List<String> expired = new ArrayList<>();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                List<Future<?>> sent = new ArrayList<>(pending.size());
                for (String line : pending) {
                    sent.add(producer.send(new ProducerRecord<>(topic, line.substring(0, line.indexOf(',')), line)));
                }
                producer.flush();
                for (int i = 0; i < sent.size(); i++) {
                    try {
                        sent.get(i).get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) || attempt == 3) {
                            throw e;
                        }
                        expired.add(pending.get(i));
                    }
                }
            }
            if (expired.isEmpty()) {
                return;
            }
            pending = expired;
        }
    }

    /** Writes {@code lines} without keys, line {@code i} to partition {@code i % partitions}: a key's lines end up in every partition. */
    public void produceSpread(String topic, List<String> lines, int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> sent = new ArrayList<>(lines.size());
            for (int i = 0; i < lines.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, lines.get(i))));
            }
            producer.flush();
            for (Future<?> f : sent) {
                f.get();
            }
        }
    }

    /**
     * Every committed value of a topic, read with {@code read_committed} up to the last stable
     * offset of each partition as it is now: a prepared transaction holds the read back.
     */
    /**
     * What {@link #readCommitted} reads once no transaction is open on the topic's partitions: a
     * commit returns when the transaction coordinator has decided it, and the commit markers reach
     * the partitions after that, so a read right after a commit can still stop short of them.
     */
    public List<String> readCommittedOnceSettled(String topic) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!partitionsWithOpenTransactions(topic).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Transactions on " + topic + " still open after 60 s: " + partitionsWithOpenTransactions(topic));
            }
            Thread.sleep(10);
        }
        return readCommitted(topic);
    }

    public List<String> readCommitted(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    /**
     * The partitions of a topic that hold an open transaction: their last stable offset (what a
     * {@code read_committed} reader may reach) is behind their end.
     */
    public List<Integer> partitionsWithOpenTransactions(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int i = 0; i < partitions; i++) {
                latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
            }
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(
                    IsolationLevel.READ_COMMITTED)).all().get();
            var end = admin.listOffsets(latest, new ListOffsetsOptions(
                    IsolationLevel.READ_UNCOMMITTED)).all().get();
            return latest.keySet().stream().filter(tp -> stable.get(tp).offset() < end.get(tp).offset())
                    .map(TopicPartition::partition).sorted().toList();
        }
    }

    /** Removes a partition's records below {@code offset}, as retention would. */
    public void deleteRecordsBefore(String topic, int partition, long offset) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, partition), RecordsToDelete.beforeOffset(offset)))
                    .all().get();
        }
    }

    @Override
    public void close() throws Exception {
        stopProcess();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
