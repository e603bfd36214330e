package dev.cairn.api.job;

public interface SourceOutput<T> {
    void collect(T record);

    /** A record with an event timestamp (milliseconds). */
    void collect(T record, long timestamp);

    /** No record with a timestamp at or below {@code watermark} follows on this subtask. */
    void emitWatermark(long watermark);
}
