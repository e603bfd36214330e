package dev.cairn.connector.kafka;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;

/**
 * One transaction of a {@link KafkaSink} subtask as a checkpoint keeps it: the transactional id it
 * runs under and, once prepared, the producer id and epoch that prove which transaction of that
 * id it is (so that recovery commits this one and aborts any later one under the same id).
 */
public final class KafkaTransaction {

    private final String transactionalId;
    private String prepared;

    KafkaTransaction(String transactionalId, String prepared) {
        this.transactionalId = Objects.requireNonNull(transactionalId);
        this.prepared = prepared;
    }

    /** The Kafka transactional id; {@code ""} for an at-least-once sink's batches. */
    public String transactionalId() {
        return transactionalId;
    }

    /** {@code producerId:epoch} once prepared, else {@code null}. */
    public String prepared() {
        return prepared;
    }

    void prepared(String state) {
        this.prepared = state;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaTransaction t && t.transactionalId.equals(transactionalId) && Objects.equals(t.prepared, prepared);
    }

    @Override
    public int hashCode() {
        return transactionalId.hashCode();
    }

    @Override
    public String toString() {
        return transactionalId + (prepared == null ? "" : "@" + prepared);
    }

    /** How checkpoints store a transaction. */
    public static final class Serializer implements TypeSerializer<KafkaTransaction> {
        static final Serializer INSTANCE = new Serializer();

        @Override
        public void serialize(KafkaTransaction value, DataOutput out) throws IOException {
            out.writeUTF(value.transactionalId);
            out.writeUTF(value.prepared == null ? "" : value.prepared);
        }

        @Override
        public KafkaTransaction deserialize(DataInput in) throws IOException {
            String id = in.readUTF();
            String prepared = in.readUTF();
            return new KafkaTransaction(id, prepared.isEmpty() ? null : prepared);
        }

        @Override
        public TypeSerializerSnapshot<KafkaTransaction> snapshotConfiguration() {
            return new Snapshot();
        }

        @Override
        public String describe() {
            return "KafkaTransaction";
        }
    }

    /** Version 1 of the stored form: transactional id, then {@code producerId:epoch} or empty. */
    public static final class Snapshot implements TypeSerializerSnapshot<KafkaTransaction> {
        @Override
        public int currentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutput out) {
            // nothing to configure
        }

        @Override
        public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
            if (version != 1) {
                throw new IOException("KafkaTransaction serializer snapshot version " + version + " is newer than this connector (1)");
            }
        }

        @Override
        public TypeSerializer<KafkaTransaction> restoreSerializer() {
            return Serializer.INSTANCE;
        }

        @Override
        public SerializerCompatibility resolveCompatibility(TypeSerializer<KafkaTransaction> newSerializer) {
            return newSerializer instanceof Serializer ? SerializerCompatibility.COMPATIBLE_AS_IS : SerializerCompatibility.INCOMPATIBLE;
        }
    }
}
