package dev.cairn.benchmarks;

import java.nio.file.Path;

/**
 * One subtask's keyed state in the backend under test, through the API a job uses (value, map
 * and list state of {@code Long} keys and {@code String} values), with snapshot and restore.
 */
interface StateStore extends AutoCloseable {

    void setKey(long key);

    /** Whether {@code key} falls into this store's key groups. */
    boolean owns(long key);

    String valueGet() throws Exception;

    void valueUpdate(String value) throws Exception;

    void mapPut(String userKey, String value) throws Exception;

    String mapGet(String userKey) throws Exception;

    /** Iterates the current key's map; returns the entries seen. */
    int mapIterate() throws Exception;

    void listAdd(String value) throws Exception;

    /** Iterates the current key's list; returns the elements seen. */
    int listGet() throws Exception;

    /** Runs the synchronous part of a snapshot; the task is blocked only for this. */
    PendingSnapshot snapshot(long checkpointId, boolean incremental) throws Exception;

    /** Runs the synchronous part of a savepoint in {@code format}. */
    default PendingSnapshot savepoint(long checkpointId, SavepointFormat format) throws Exception {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no savepoints");
    }

    /** What a savepoint is written as. */
    enum SavepointFormat {
        /** Backend-neutral: any backend restores it, at any parallelism. */
        CANONICAL,
        /** The backend's own files, self-contained. */
        NATIVE
    }

    /** A new store of the same kind and key groups restored from {@code snapshot}. */
    default StateStore restore(Path workDir, PendingSnapshot.Done snapshot) throws Exception {
        return restore(workDir, java.util.List.of(snapshot), 0, 1);
    }

    /**
     * A new store of the same kind owning subtask {@code index} of {@code parallelism}'s key
     * groups, restored from the snapshots of the previous subtasks (a rescale when the counts differ).
     */
    StateStore restore(Path workDir, java.util.List<PendingSnapshot.Done> snapshots, int index, int parallelism) throws Exception;

    /** The asynchronous part of a snapshot. */
    interface PendingSnapshot {
        Done complete() throws Exception;

        /** A completed snapshot: what a restore reads. */
        interface Done {
        }
    }

    @Override
    void close() throws Exception;
}
