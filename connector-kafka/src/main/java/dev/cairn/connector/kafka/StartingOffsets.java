package dev.cairn.connector.kafka;

/** Where a {@link KafkaSource} starts reading a partition its restored state does not know. */
public enum StartingOffsets {
    /** The partition's first record still held by the broker. */
    EARLIEST,
    /** The partition's end: only records written after the source first saw it. */
    LATEST,
    /** The offset the consumer group committed, else the earliest (needs {@code group.id}). */
    COMMITTED
}
