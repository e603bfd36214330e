package dev.cairn.connector.kafka;

import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.connector.kafka.internal.ClientSettings;
import dev.cairn.connector.kafka.internal.SinkWriter;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a job's records to a Kafka topic.
 *
 * <p>{@link DeliveryGuarantee#EXACTLY_ONCE}: each checkpoint interval's records of a subtask go into
 * one Kafka transaction, flushed at the checkpoint's barrier (durable, invisible to
 * {@code read_committed} consumers) and committed once the checkpoint is complete. The
 * transaction's producer id and epoch are part of the checkpoint, so after a crash the restored
 * checkpoint's transactions are committed, however far the crashed run got, and every other
 * transaction under this sink's transactional-id prefix is aborted. The prefix must be unique to
 * this sink of this job. A transaction that waits for a restore longer than
 * {@code transaction.timeout.ms} (default here 15 minutes, the brokers' default
 * {@code transaction.max.timeout.ms}) is aborted by the broker and its records are lost to the
 * output, as with Flink's Kafka sink: raise both for longer outages.
 *
 * <p>{@link DeliveryGuarantee#AT_LEAST_ONCE}: records are sent at once and flushed at every barrier.
 */
public final class KafkaSink<T> implements TwoPhaseCommitSink<T, KafkaTransaction> {

    private static final long serialVersionUID = 1L;

    // plain JDK types only: the platform copies functions through the job's class loader, which sees no internal class
    private final String bootstrapServers;
    private final HashMap<String, String> properties;
    private final String topic;
    private final KafkaRecordSerializer<T> serializer;
    private final DeliveryGuarantee guarantee;
    private final String transactionalIdPrefix;
    private transient SinkWriter<T> writer;

    private KafkaSink(Builder<T> b) {
        this.bootstrapServers = b.bootstrapServers;
        this.properties = new HashMap<>(b.properties);
        this.topic = b.topic;
        this.serializer = b.serializer;
        this.guarantee = b.guarantee;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
    }

    public static <T> Builder<T> builder(KafkaRecordSerializer<T> serializer) {
        return new Builder<>(serializer);
    }

    @Override
    public TypeSerializer<KafkaTransaction> transactionSerializer() {
        return KafkaTransaction.Serializer.INSTANCE;
    }

    @Override
    public void open(int subtaskIndex, int parallelism) {
        writer = new SinkWriter<>(settings(), topic, serializer, guarantee, transactionalIdPrefix, subtaskIndex);
    }

    @Override
    public KafkaTransaction beginTransaction() throws Exception {
        return new KafkaTransaction(writer.begin(), null);
    }

    @Override
    public void write(KafkaTransaction transaction, T value) throws Exception {
        writer.write(transaction.transactionalId(), value);
    }

    @Override
    public void preCommit(KafkaTransaction transaction) throws Exception {
        transaction.prepared(writer.prepare(transaction.transactionalId()));
    }

    @Override
    public void commit(KafkaTransaction transaction) throws Exception {
        writer.commit(transaction.transactionalId(), transaction.prepared());
    }

    @Override
    public void abort(KafkaTransaction transaction) throws Exception {
        if (writer != null) {
            writer.abort(transaction.transactionalId());
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    @Override
    public void abortLingering(Collection<KafkaTransaction> restored) throws Exception {
        writer.abortLingering();
    }

    public static final class Builder<T> {
        private final KafkaRecordSerializer<T> serializer;
        private String bootstrapServers;
        private String topic;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.EXACTLY_ONCE;
        private String transactionalIdPrefix;
        private final Map<String, String> properties = new HashMap<>();

        private Builder(KafkaRecordSerializer<T> serializer) {
            this.serializer = Objects.requireNonNull(serializer, "serializer");
        }

        public Builder<T> bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder<T> topic(String name) {
            this.topic = name;
            return this;
        }

        public Builder<T> deliveryGuarantee(DeliveryGuarantee g) {
            this.guarantee = Objects.requireNonNull(g, "deliveryGuarantee");
            return this;
        }

        /** Required for exactly once: unique to this sink of this job (e.g. {@code <job>-<sink uid>}). */
        public Builder<T> transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        /** Any producer property (security, batching, compression…); the ones the sink owns are refused. */
        public Builder<T> property(String name, String value) {
            properties.put(name, value);
            return this;
        }

        /** @throws IllegalArgumentException naming the setting, its value and what is allowed */
        public KafkaSink<T> build() {
            ClientSettings.checkBootstrapServers("KafkaSink", bootstrapServers);
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("topic=" + topic + " is not allowed: name the topic to write");
            }
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE
                    && (transactionalIdPrefix == null || transactionalIdPrefix.isBlank() || transactionalIdPrefix.contains("|"))) {
                throw new IllegalArgumentException("transactionalIdPrefix=" + transactionalIdPrefix
                        + " is not allowed: exactly once needs a prefix unique to this sink of this job, without '|'");
            }
            for (String owned : List.of("transactional.id", "transaction.two.phase.commit.enable",
                    "enable.idempotence", "acks", "key.serializer", "value.serializer")) {
                if (properties.containsKey(owned)) {
                    throw new IllegalArgumentException("property " + owned + "=" + properties.get(owned)
                            + " is not allowed: the sink sets it for its delivery guarantee");
                }
            }
            return new KafkaSink<>(this);
        }
    }

    private ClientSettings settings() {
        return new ClientSettings("KafkaSink", bootstrapServers, properties);
    }
}
