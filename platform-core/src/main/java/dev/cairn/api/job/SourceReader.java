package dev.cairn.api.job;

/** Reads one subtask's share of a source. All methods run on the subtask's thread. */
public interface SourceReader<T> extends AutoCloseable {

    /**
     * Emits a small batch of records (the platform injects checkpoint barriers between calls).
     *
     * @return false once this subtask has no more data
     */
    boolean pollNext(SourceOutput<T> output) throws Exception;

    /** Writes the read position into the operator state obtained at creation. */
    void snapshotState(long checkpointId) throws Exception;

    default void notifyCheckpointComplete(long checkpointId) throws Exception {
    }

    /**
     * How many records this subtask's share of the source holds that it has not read yet, as far
     * as it knows (Kafka: how far its partitions' ends are ahead of it), or -1 when it cannot
     * tell. The platform asks about once a second, between calls to {@link #pollNext}.
     *
     * @since 1.2
     */
    default long pendingRecords() {
        return -1;
    }

    @Override
    default void close() throws Exception {
    }
}
