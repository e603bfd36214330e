package dev.cairn.api.job;

import dev.cairn.api.serialization.TypeSerializer;

/**
 * An exactly-once sink. Records go into the current transaction; at a checkpoint the
 * transaction is pre-committed (made durable but invisible) and a new one begins; when the
 * checkpoint completes it is committed. After a failure, the transactions of the restored
 * checkpoint are committed again, so {@link #commit} must be idempotent, and
 * {@link #abortLingering} aborts the rest.
 */
public interface TwoPhaseCommitSink<T, TXN> extends java.io.Serializable {

    TypeSerializer<TXN> transactionSerializer();

    default void open(int subtaskIndex, int parallelism) throws Exception {
    }

    TXN beginTransaction() throws Exception;

    void write(TXN transaction, T value) throws Exception;

    void preCommit(TXN transaction) throws Exception;

    void commit(TXN transaction) throws Exception;

    void abort(TXN transaction) throws Exception;

    /**
     * Called once per start or restore, on one subtask, before any subtask begins a transaction:
     * abort every transaction this sink left behind that is not in {@code restored} (the
     * transactions of the snapshot the job restores, which are committed). Such leftovers were
     * pre-committed for snapshots that never completed, or opened by a run that crashed; their
     * records are replayed. A sink that cannot list its transactions keeps this default.
     */
    default void abortLingering(java.util.Collection<TXN> restored) throws Exception {
    }

    /**
     * Called once when the subtask ends, after its open transaction was aborted: release clients
     * and threads. Pre-committed transactions stay as they are; a restore commits or aborts them.
     */
    default void close() throws Exception {
    }
}
