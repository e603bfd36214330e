package dev.cairn.spi.backend;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The keyed state of one operator subtask. Used by one task thread, except for the
 * {@link AsyncSnapshot} it hands out, which runs on the I/O pool concurrently with updates.
 */
@ConsumerType
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

    /**
     * The index that orders the timers of timer state {@code state} (registered before), holding
     * every timer the state holds now; {@code null} lets the kernel keep the index on the heap.
     * A backend whose state outgrows the heap keeps it with the state.
     */
    default TimerIndex<K> timerIndex(String state) throws Exception {
        return null;
    }

    /** Every key with a value in {@code state} under {@code namespace}. */
    <N> Iterable<K> keys(String state, N namespace);

    /**
     * The synchronous part of a native snapshot (only called when {@link StateBackend#supportsIncremental()}):
     * marks what the snapshot covers and returns the asynchronous part, which writes the backend's
     * own files, or sections through {@link SnapshotRequest#sections()}, incrementally unless it is a savepoint.
     */
    AsyncSnapshot snapshot(SnapshotRequest request) throws Exception;

    /**
     * The synchronous part of a full or canonical snapshot: a consistent view of every state as it
     * is now, which the kernel then writes in the key-group layout from its I/O pool while updates
     * go on. Entries a state's snapshot filter drops (expired by TTL) are left out.
     */
    KeyGroupEntries captureEntries() throws Exception;

    /** The checkpoint completed: its files are the base of the next incremental one. */
    default void notifyCheckpointComplete(long checkpointId) {
    }

    default void notifyCheckpointAborted(long checkpointId) {
    }

    @Override
    void close();
}
