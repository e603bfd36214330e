package dev.cairn.connector.kafka.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Per-partition event time: the highest timestamp seen minus the allowed lateness. The subtask's
 * watermark is the lowest of its partitions that had a record within the idle timeout (a
 * partition that has had none yet counts as idle only once the timeout passed since it was
 * assigned). It never goes back.
 */
final class PartitionWatermarks {

    private static final class Partition {
        long highest = Long.MIN_VALUE;
        long lastActiveNanos;
    }

    private final long lateness;
    private final long idleNanos;
    private final Map<String, Partition> partitions = new HashMap<>();
    private long emitted = Long.MIN_VALUE;

    PartitionWatermarks(long latenessMillis, long idleMillis) {
        this.lateness = latenessMillis;
        this.idleNanos = idleMillis * 1_000_000L;
    }

    void assigned(String partition, long nowNanos) {
        partitions.computeIfAbsent(partition, p -> new Partition()).lastActiveNanos = nowNanos;
    }

    void removed(String partition) {
        partitions.remove(partition);
    }

    void record(String partition, long timestamp, long nowNanos) {
        Partition p = partitions.computeIfAbsent(partition, x -> new Partition());
        p.highest = Math.max(p.highest, timestamp);
        p.lastActiveNanos = nowNanos;
    }

    /** A watermark to emit now, or {@link Long#MIN_VALUE} when it would not advance. */
    long advance(long nowNanos) {
        long lowest = Long.MAX_VALUE;
        boolean anyActive = false;
        for (Partition p : partitions.values()) {
            if (nowNanos - p.lastActiveNanos > idleNanos) {
                continue;
            }
            anyActive = true;
            if (p.highest == Long.MIN_VALUE) {
                return Long.MIN_VALUE; // an active partition with no record yet holds event time back
            }
            lowest = Math.min(lowest, p.highest - lateness - 1);
        }
        if (!anyActive || lowest <= emitted) {
            return Long.MIN_VALUE;
        }
        emitted = lowest;
        return lowest;
    }
}
