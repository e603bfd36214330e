package dev.cairn.backend.heap;

import java.io.IOException;

/**
 * The entries of one state in one key group, with copy-on-write for snapshots: a {@link View}
 * taken when a snapshot begins keeps what it saw, readable from any thread, while the task thread
 * goes on changing the table. The table also logs which keys changed and which were removed, with
 * the version of the change, so that an incremental snapshot visits only those.
 *
 * <p>Keys are the backend's keys, or {@link NamespacedKey}s for states with a namespace; values
 * are never {@code null}.
 */
interface KeyGroupTable {

    /** A table for a state's keys: {@code Long} keys without namespace get a table that stores them unboxed. */
    static KeyGroupTable forKeys(boolean longKeysWithoutNamespace) {
        return longKeysWithoutNamespace ? new LongKeyGroupTable() : new ChainedKeyGroupTable();
    }

    int size();

    Object get(Object key);

    void put(Object key, Object value, CopyOnWriteVersions versions);

    /**
     * The value of {@code key} for a task that may change the object in place: when a running
     * snapshot may still read the stored object, the table first stores {@code copy} of it in its
     * place and returns that. The copy holds what the snapshot holds, so it need not count as a
     * change; the chained table logs it as one all the same (its stamps cannot say otherwise), which
     * costs only that entry in the next incremental checkpoint.
     */
    Object getOwned(Object key, CopyOnWriteVersions versions, java.util.function.UnaryOperator<Object> copy);

    void remove(Object key, CopyOnWriteVersions versions);

    /** Adds or replaces a mapping while the table is restored: no snapshot can see it yet. */
    void putRestored(Object key, Object value);

    /** The table as it is now, for a snapshot that has just begun: from now on it copies what that snapshot sees before changing it. */
    View view();

    /** The keys as they are now, for the task thread (incremental cleanup walks them). */
    Object[] keys();

    /** The table as a snapshot saw it: safe to read from any thread while the snapshot runs. */
    interface View {
        int size();

        /**
         * The entries written after the snapshot of version {@code version} began (-1: all of
         * them). Since a snapshot, the change log names them: only they are visited, not the table.
         */
        void forEachChangedSince(int version, Visitor visitor) throws IOException;

        /** At least the number of entries {@link #forEachChangedSince} visits, and not more than the table holds. */
        int countChangedSince(int version);

        /** The keys removed after the snapshot of version {@code version} began (some may be back). */
        void forEachRemovedSince(int version, KeyVisitor visitor) throws IOException;
    }

    interface KeyVisitor {
        void visit(Object key) throws IOException;
    }

    interface Visitor {
        void visit(Object key, Object value) throws IOException;

        /** A value a restore left in its bytes: the value at {@code at} in {@code values}. */
        default void visitSerialized(Object key, SerializedValues values, int at) throws IOException {
            visit(key, values.read(at));
        }
    }
}
