package dev.cairn.api.job;

import dev.cairn.api.serialization.TypeSerializer;

/**
 * An exactly-once sink. Records go into the current transaction; at a checkpoint the
 * transaction is pre-committed (made durable but invisible) and a new one begins; when the
 * checkpoint completes it is committed. After a failure, the transactions of the restored
 * checkpoint are committed again, so {@link #commit} must be idempotent.
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
}
