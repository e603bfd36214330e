package dev.cairn.connector.kafka;

import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceReader;
import dev.cairn.connector.kafka.internal.ClientSettings;
import dev.cairn.connector.kafka.internal.KafkaSourceReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads Kafka topics. Every partition belongs to one source subtask (they are dealt out in
 * order of topic and partition); its next offset is operator state, so a job restored from a
 * checkpoint or savepoint, at any parallelism, reads each record once after the records the
 * restored state covered. Offsets are committed to the consumer group ({@code group.id}, if
 * set) only when a checkpoint completes, for monitoring; the job never reads them back unless
 * {@link StartingOffsets#COMMITTED} says so for a partition its state does not know.
 *
 * <p>Records removed from a partition (retention, a deletion) before the source read them fail the
 * job with a message naming the partition and offsets; the property {@code auto.offset.reset=earliest}
 * makes it go on from the first remaining record instead.
 *
 * <p>Watermarks are per partition: the highest timestamp seen minus the allowed lateness; the
 * subtask's watermark is the lowest over its partitions, leaving out partitions idle for longer
 * than the idle timeout, so that one quiet partition does not hold event time back.
 */
public final class KafkaSource<T> implements Source<T> {

    private static final long serialVersionUID = 1L;

    // plain JDK types only: the platform copies functions through the job's class loader, which sees no internal class
    private final String bootstrapServers;
    private final HashMap<String, String> properties;
    private final List<String> topics;
    private final KafkaRecordDeserializer<T> deserializer;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final long outOfOrdernessMillis;
    private final long idleTimeoutMillis;
    private final long discoveryIntervalMillis;

    private KafkaSource(Builder<T> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.properties = new HashMap<>(b.properties);
        this.topics = List.copyOf(b.topics);
        this.deserializer = b.deserializer;
        this.startingOffsets = b.startingOffsets;
        this.bounded = b.bounded;
        this.outOfOrdernessMillis = b.outOfOrdernessMillis;
        this.idleTimeoutMillis = b.idleTimeoutMillis;
        this.discoveryIntervalMillis = b.discoveryIntervalMillis;
    }

    public static <T> Builder<T> builder(KafkaRecordDeserializer<T> deserializer) {
        return new Builder<>(deserializer);
    }

    @Override
    public SourceReader<T> createReader(SourceContext context) throws Exception {
        return new KafkaSourceReader<>(context, settings(), topics, deserializer, startingOffsets, bounded,
                outOfOrdernessMillis, idleTimeoutMillis, discoveryIntervalMillis);
    }

    public static final class Builder<T> {
        private final KafkaRecordDeserializer<T> deserializer;
        private String bootstrapServers;
        private final List<String> topics = new ArrayList<>();
        private final Map<String, String> properties = new HashMap<>();
        private StartingOffsets startingOffsets = StartingOffsets.EARLIEST;
        private boolean bounded;
        private long outOfOrdernessMillis = -1;
        private long idleTimeoutMillis = 60_000;
        private long discoveryIntervalMillis = 30_000;

        private Builder(KafkaRecordDeserializer<T> deserializer) {
            this.deserializer = Objects.requireNonNull(deserializer, "deserializer");
        }

        /** {@code host:port[,host:port…]} of the cluster. Required. */
        public Builder<T> bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder<T> topics(String... names) {
            topics.addAll(List.of(names));
            return this;
        }

        /** Any consumer property (security, timeouts, {@code group.id}…); the ones the source owns are refused. */
        public Builder<T> property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        public Builder<T> startingOffsets(StartingOffsets offsets) {
            this.startingOffsets = Objects.requireNonNull(offsets, "startingOffsets");
            return this;
        }

        /**
         * Reads each partition only up to its end as the source first sees it, then finishes (the
         * end is kept in the state, so a restored job stops at the same offsets; a job restored
         * from an unbounded run's state ends where the partitions end at its start).
         */
        public Builder<T> bounded() {
            this.bounded = true;
            return this;
        }

        /** Emits watermarks: the highest timestamp per partition minus {@code millis}. */
        public Builder<T> watermarks(long outOfOrdernessMillis, long idleTimeoutMillis) {
            if (outOfOrdernessMillis < 0 || idleTimeoutMillis <= 0) {
                throw new IllegalArgumentException("watermarks(" + outOfOrdernessMillis + ", " + idleTimeoutMillis
                        + ") is not allowed: use a lateness ≥ 0 and an idle timeout > 0 (milliseconds)");
            }
            this.outOfOrdernessMillis = outOfOrdernessMillis;
            this.idleTimeoutMillis = idleTimeoutMillis;
            return this;
        }

        /** How often the source looks for partitions added to its topics (milliseconds, default 30 s). */
        public Builder<T> partitionDiscoveryInterval(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("partitionDiscoveryInterval=" + millis + " is not allowed: use milliseconds > 0");
            }
            this.discoveryIntervalMillis = millis;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting, its value and what is allowed */
        public KafkaSource<T> build() {
            ClientSettings.checkBootstrapServers("KafkaSource", bootstrapServers);
            if (topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isBlank() || t.contains(":"))) {
                throw new IllegalArgumentException("topics=" + topics + " is not allowed: name at least one topic, each a valid Kafka topic name");
            }
            if (startingOffsets == StartingOffsets.COMMITTED && !properties.containsKey("group.id")) {
                throw new IllegalArgumentException("startingOffsets=COMMITTED needs the property group.id");
            }
            String reset = properties.get("auto.offset.reset");
            if (reset != null && !reset.equals("none") && !reset.equals("earliest")) {
                throw new IllegalArgumentException("property auto.offset.reset=" + reset + " is not allowed: use none (the default:"
                        + " the job fails when records it has not read yet were removed by retention) or earliest (it goes on from"
                        + " the first remaining record); where a new job starts is startingOffsets(…)");
            }
            for (String owned : List.of("enable.auto.commit", "key.deserializer", "value.deserializer")) {
                if (properties.containsKey(owned)) {
                    throw new IllegalArgumentException("property " + owned + "=" + properties.get(owned)
                            + " is not allowed: the source sets it (offsets are the job's state; use startingOffsets(…))");
                }
            }
            return new KafkaSource<>(this);
        }
    }

    private ClientSettings settings() {
        return new ClientSettings("KafkaSource", bootstrapServers, properties);
    }
}
