package dev.cairn.spi.backend;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.spi.snapshot.CanonicalEntry;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The keyed state of one operator subtask. Used by one task thread, except for the
 * {@link AsyncSnapshot} it hands out, which runs on the I/O pool concurrently with updates.
 */
public interface KeyedStateBackend<K> extends AutoCloseable {

    void setCurrentKey(K key);

    K getCurrentKey();

    /**
     * Registers (or returns the registered) state. The kernel has already checked the spec
     * against the restored schema; {@code compatibility} tells whether restored values must be
     * migrated to the new serializer.
     *
     * @return an {@link InternalValueState}, {@link InternalListState} or {@link InternalMapState} per {@code spec.kind()}
     */
    <N> InternalKvState<N> createState(StateSpec spec, SerializerCompatibility compatibility) throws Exception;

    /** The schema of every state restored from the snapshot, by name. */
    Map<String, StateMetaInfo> restoredStates();

    /** Every key with a value in {@code state} under {@code namespace}. */
    <N> Iterable<K> keys(String state, N namespace);

    /** The synchronous part: marks what the snapshot covers; returns the asynchronous part. */
    AsyncSnapshot snapshot(SnapshotRequest request) throws Exception;

    /** The checkpoint completed: its files are the base of the next incremental one. */
    default void notifyCheckpointComplete(long checkpointId) {
    }

    default void notifyCheckpointAborted(long checkpointId) {
    }

    /** Streams every entry of every registered state in canonical form. */
    void exportEntries(Consumer<CanonicalEntry> sink) throws Exception;

    /** Adds one canonical entry; the state must be registered first. */
    void importEntry(CanonicalEntry entry) throws Exception;

    @Override
    void close();
}
