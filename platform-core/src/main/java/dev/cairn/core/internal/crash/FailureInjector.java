package dev.cairn.core.internal.crash;

/**
 * A hook for tests: called at the points where real failures hurt most; throwing from it is a
 * failure at that point.
 */
public interface FailureInjector {

    enum Point {
        /** In a task, before it processes a record. */
        PROCESS_RECORD,
        /** In the asynchronous part of a subtask's snapshot, before it writes. */
        ASYNC_SNAPSHOT,
        /** After a snapshot's metadata is committed and the ledger records it, before anyone is told it completed. */
        AFTER_LEDGER_UPDATE
    }

    FailureInjector NONE = (point, uid, subtask, checkpointId) -> {
    };

    void check(Point point, String operatorUid, int subtask, long checkpointId) throws Exception;
}
