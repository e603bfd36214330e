package dev.cairn.connector.kafka;

import java.io.Serializable;

/** Turns one consumed Kafka record into the job's type. Runs on the source subtask's thread. */
@FunctionalInterface
public interface KafkaRecordDeserializer<T> extends Serializable {

    /**
     * @param key   the record's key, {@code null} when it has none
     * @param value the record's value, {@code null} for a tombstone
     * @return the record for the job, or {@code null} to skip it
     */
    T deserialize(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) throws Exception;

    /** The value as UTF-8 text. */
    static KafkaRecordDeserializer<String> utf8Values() {
        return (topic, partition, offset, timestamp, key, value) ->
                value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }
}
