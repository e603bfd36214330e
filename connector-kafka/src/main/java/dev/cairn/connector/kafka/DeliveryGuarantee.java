package dev.cairn.connector.kafka;

/** What a {@link KafkaSink} promises about the records of a job that fails and restores. */
public enum DeliveryGuarantee {
    /**
     * Each record becomes visible to {@code read_committed} consumers exactly once: records go
     * into a Kafka transaction per checkpoint, committed when the checkpoint completes. Output
     * is as late as the checkpoint interval.
     */
    EXACTLY_ONCE,
    /**
     * Records are sent at once and flushed at every checkpoint; after a failure the records
     * since the restored checkpoint are written again.
     */
    AT_LEAST_ONCE
}
