package dev.cairn.connector.kafka;

/**
 * Where a {@link KafkaSource} starts reading the partitions it finds when the job starts without
 * state. Partitions found later (added to a topic, or of a topic created after the start) and those
 * a restored job's state does not know are read from their earliest record whatever this says, so
 * that nothing written to them before the source saw them is skipped.
 */
public enum StartingOffsets {
    /** The partition's first record still held by the broker. */
    EARLIEST,
    /** The partition's end: only records written after the source first saw it. */
    LATEST,
    /** The offset the consumer group committed, else the earliest (needs {@code group.id}). */
    COMMITTED
}
