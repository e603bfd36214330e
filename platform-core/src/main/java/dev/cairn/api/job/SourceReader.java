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

    @Override
    default void close() throws Exception {
    }
}
