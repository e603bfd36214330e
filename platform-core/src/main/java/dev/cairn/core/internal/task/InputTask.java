package dev.cairn.core.internal.task;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.crash.FailureInjector;

/** A subtask that reads from an {@link InputGate}: keyed operators and sinks. */
abstract class InputTask extends StreamTask {

    private final InputGate gate;
    private final boolean unaligned;

    InputTask(ExecutionAttempt attempt, String uid, int subtask, OutputRouter output, InputGate gate) {
        super(attempt, uid, subtask, output);
        this.gate = gate;
        this.unaligned = attempt.unalignedCheckpoints();
    }

    @Override
    final void runLoop() throws Exception {
        while (true) {
            if (!gate.inBatch()) { // once per batch: checkpoint notices and processing-time timers can wait that long
                processMailbox();
                onIdle();
            }
            if (unaligned && !output.hasRoom()) {
                // backpressured: wait here, where an unaligned checkpoint can still be snapshotted, rather than inside an emit
                StreamElement b = gate.unalignedBarrierDue();
                if (b != null) {
                    barrier(((StreamElement.Barrier) b).barrier());
                } else {
                    processMailbox();
                    output.awaitRoom(1);
                }
                continue;
            }
            StreamElement e = gate.next(5);
            if (e == null) {
                continue;
            }
            if (e instanceof StreamElement.Record r) {
                attempt.injector().check(FailureInjector.Point.PROCESS_RECORD, uid, subtask, -1);
                processRecord(r);
            } else if (e instanceof StreamElement.Watermark w) {
                processWatermark(w.time());
            } else if (e instanceof StreamElement.Barrier b) {
                barrier(b.barrier());
            } else {
                // completion notices sent before the end must run before the operator finishes
                processMailbox();
                finish();
                output.broadcastEnd();
                return;
            }
        }
    }

    private void barrier(CheckpointBarrier barrier) throws Exception {
        onBarrier(barrier);
        InFlightCapture inFlight = gate.takeCapture(barrier.checkpointId());
        snapshotAndForward(barrier, inFlight == null ? gate.lastAlignmentNanos() : 0, inFlight);
    }

    // ---- chained to the task before it: its elements arrive by these calls, on that task's thread

    final void acceptRecord(StreamElement.Record record) throws Exception {
        attempt.injector().check(FailureInjector.Point.PROCESS_RECORD, uid, subtask, -1);
        processRecord(record);
    }

    final void acceptWatermark(long time) throws Exception {
        processWatermark(time);
    }

    final void acceptBarrier(CheckpointBarrier barrier) throws Exception {
        onBarrier(barrier);
        snapshotAndForward(barrier, 0, null); // aligned, if at all, by the task it is chained to; its input is that task's
    }

    final void acceptEnd() throws Exception {
        finish();
        output.broadcastEnd();
    }

    void onIdle() throws Exception {
    }

    @Override
    final void restoreInFlight() throws Exception {
        if (gate != null) {
            gate.restore(attempt.restoredInFlight(uid, subtask));
        }
    }

    abstract void processRecord(StreamElement.Record record) throws Exception;

    void processWatermark(long time) throws Exception {
        output.broadcastWatermark(time);
    }

    /** Runs before the snapshot of {@code barrier} (a sink pre-commits here). */
    void onBarrier(CheckpointBarrier barrier) throws Exception {
    }

    abstract void finish() throws Exception;
}
