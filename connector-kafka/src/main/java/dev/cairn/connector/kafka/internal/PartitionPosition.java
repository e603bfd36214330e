package dev.cairn.connector.kafka.internal;

/**
 * A partition's place in the source's operator state: the next offset to read and, for a bounded
 * source, the offset it stops at ({@code -1}: never). Stored as {@code topic:partition:next:stop}
 * (a topic name cannot hold a colon).
 */
record PartitionPosition(String topic, int partition, long next, long stop) {

    static PartitionPosition parse(String s) {
        int c3 = s.lastIndexOf(':');
        int c2 = s.lastIndexOf(':', c3 - 1);
        int c1 = s.lastIndexOf(':', c2 - 1);
        if (c1 <= 0) {
            throw new IllegalStateException("The Kafka source's state holds '" + s + "', not topic:partition:next:stop");
        }
        return new PartitionPosition(s.substring(0, c1), Integer.parseInt(s.substring(c1 + 1, c2)),
                Long.parseLong(s.substring(c2 + 1, c3)), Long.parseLong(s.substring(c3 + 1)));
    }

    String encode() {
        return topic + ":" + partition + ":" + next + ":" + stop;
    }

    PartitionPosition at(long nextOffset) {
        return new PartitionPosition(topic, partition, nextOffset, stop);
    }

    boolean finished(long position) {
        return stop >= 0 && position >= stop;
    }

    /**
     * The subtask that reads a partition, fixed for a given parallelism whatever other partitions
     * exist, so that partitions added later never move a running one. A topic's partitions are
     * dealt out in turn from a start chosen by its name, as Flink's Kafka source does.
     */
    static int owner(String topic, int partition, int parallelism) {
        int start = ((topic.hashCode() * 31) & 0x7FFFFFFF) % parallelism;
        return (start + partition) % parallelism;
    }
}
