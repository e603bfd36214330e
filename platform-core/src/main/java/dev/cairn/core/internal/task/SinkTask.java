package dev.cairn.core.internal.task;

import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.crash.CrashPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drives a two-phase-commit sink: one open transaction; at each barrier it is pre-committed and
 * kept (in operator state) until its checkpoint completes; on restore, the kept transactions of
 * the restored checkpoint are committed, since that checkpoint completed, and the sink aborts
 * whatever else it left behind.
 */
final class SinkTask<T, TXN> extends InputTask {

    private static final String PENDING = "pending-transactions";

    private final TwoPhaseCommitSink<T, TXN> sink;
    private final TreeMap<Long, TXN> preCommitted = new TreeMap<>();
    private ListState<TXN> pendingState;
    private TXN current;

    SinkTask(ExecutionAttempt attempt, String uid, int subtask, InputGate gate, TwoPhaseCommitSink<T, TXN> sink) {
        super(attempt, uid, subtask, new OutputRouter(subtask, 1), gate);
        this.sink = sink;
    }

    @Override
    void restoreState() throws Exception {
        sink.open(subtask, attempt.parallelism());
        pendingState = operatorState.getListState(new ListStateDescriptor<>(PENDING, sink.transactionSerializer()));
    }

    /**
     * Runs once every subtask has restored (a damaged snapshot has no effect). The first subtask
     * commits every transaction of the restored snapshot, whatever subtask pre-committed it (the
     * parallelism may have changed), and has the sink abort the rest it left behind; the others
     * wait for that before they open a transaction of their own.
     */
    @Override
    @SuppressWarnings("unchecked")
    void initialize() throws Exception {
        if (subtask == 0) {
            List<TXN> restored = (List<TXN>) attempt.restoredOperatorStateOfAllSubtasks(uid, PENDING);
            for (TXN txn : restored) {
                sink.commit(txn);
            }
            CrashPoint.SINK_BEFORE_ABORT_LINGERING.reach();
            sink.abortLingering(restored);
            attempt.sinkRecovered(uid);
        } else {
            attempt.awaitSinkRecovered(uid);
        }
        pendingState.clear();
        current = sink.beginTransaction();
    }

    @Override
    @SuppressWarnings("unchecked")
    void processRecord(StreamElement.Record record) throws Exception {
        sink.write(current, (T) record.value());
    }

    @Override
    void onBarrier(CheckpointBarrier barrier) throws Exception {
        CrashPoint.SINK_BEFORE_PRECOMMIT.reach();
        sink.preCommit(current);
        CrashPoint.SINK_AFTER_PRECOMMIT.reach();
        preCommitted.put(barrier.checkpointId(), current);
        current = sink.beginTransaction();
        pendingState.update(new ArrayList<>(preCommitted.values()));
    }

    @Override
    void notifyCheckpointComplete(long checkpointId) throws Exception {
        Map<Long, TXN> done = preCommitted.headMap(checkpointId, true);
        List<TXN> commit = new ArrayList<>(done.values());
        for (TXN txn : commit) {
            CrashPoint.SINK_BEFORE_COMMIT.reach();
            sink.commit(txn);
            CrashPoint.SINK_AFTER_COMMIT.reach();
        }
        done.clear();
        pendingState.update(new ArrayList<>(preCommitted.values()));
    }

    @Override
    void notifyCheckpointAborted(long checkpointId) {
        // the transaction stays pre-committed: the next completed checkpoint commits it
    }

    @Override
    void finish() throws Exception {
        // what came after the last checkpoint is replayed on resume, so it must not become visible
        sink.abort(current);
        current = null;
    }

    @Override
    void cleanup() throws Exception {
        try {
            if (current != null) {
                sink.abort(current);
            }
        } finally {
            sink.close();
        }
    }
}
