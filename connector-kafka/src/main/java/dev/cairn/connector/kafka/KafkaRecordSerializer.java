package dev.cairn.connector.kafka;

import java.io.Serializable;

/** Turns one of the job's records into a Kafka record's key and value. Runs on the sink subtask's thread. */
public interface KafkaRecordSerializer<T> extends Serializable {

    /** The record's value. */
    byte[] value(T record) throws Exception;

    /** The record's key (it chooses the partition); {@code null}, the default, spreads records over partitions. */
    default byte[] key(T record) throws Exception {
        return null;
    }

    /** Values as UTF-8 text, no key. */
    static KafkaRecordSerializer<String> utf8Values() {
        return record -> record.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
