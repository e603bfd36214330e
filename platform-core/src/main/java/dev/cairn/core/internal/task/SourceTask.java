package dev.cairn.core.internal.task;

import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.state.OperatorStateStore;
import java.util.OptionalInt;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.crash.FailureInjector;

/** Runs a source reader; checkpoint barriers are injected between two {@code pollNext} calls. */
final class SourceTask<T> extends StreamTask {

    private final Source<T> source;
    private SourceReader<T> reader;
    private boolean dataFinished;
    private boolean pausedForStop;
    private boolean endRequested;
    private static final long PENDING_INTERVAL_NANOS = 1_000_000_000L;
    private long pendingAskedAt = System.nanoTime() - PENDING_INTERVAL_NANOS;
    /** What the reader last said it has not read yet (-1: it cannot tell); read by the console's thread. */
    private volatile long pendingRecords = -1;

    SourceTask(ExecutionAttempt attempt, String uid, int subtask, OutputRouter output, Source<T> source) {
        super(attempt, uid, subtask, output);
        this.source = source;
    }

    @Override
    void initialize() throws Exception {
        boolean restored = operatorState.isRestored();
        reader = source.createReader(new SourceContext() {
            public int subtaskIndex() {
                return subtask;
            }

            public int parallelism() {
                return attempt.parallelism();
            }

            public OperatorStateStore operatorState() {
                return operatorState;
            }

            public boolean isRestored() {
                return restored;
            }

            public ClassLoader userClassLoader() {
                return attempt.serializers().classLoader();
            }

            public OptionalInt inputPartition() {
                return attempt.inputPartition();
            }
        });
    }

    @Override
    void runLoop() throws Exception {
        SourceOutput<T> out = new SourceOutput<>() {
            public void collect(T record) {
                emit(record, 0, false);
            }

            public void collect(T record, long timestamp) {
                emit(record, timestamp, true);
            }

            public void emitWatermark(long watermark) {
                try {
                    output.broadcastWatermark(watermark);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException();
                } catch (Exception e) {
                    throw new IllegalStateException(e); // a chained operator failed on it
                }
            }
        };
        while (!endRequested) {
            processMailbox();
            if (endRequested) {
                break;
            }
            if (dataFinished || pausedForStop) {
                Thread.sleep(1);
                continue;
            }
            if (attempt.unalignedCheckpoints() && !output.hasRoom()) {
                // backpressured: wait here, where a checkpoint can still be triggered, rather than inside an emit
                output.awaitRoom(1);
                continue;
            }
            attempt.injector().check(FailureInjector.Point.PROCESS_RECORD, uid, subtask, -1);
            if (!reader.pollNext(out)) {
                dataFinished = true;
                attempt.coordinator().sourceFinished(uid, subtask);
            }
            long now = System.nanoTime();
            if (now - pendingAskedAt >= PENDING_INTERVAL_NANOS) {
                pendingAskedAt = now;
                try {
                    pendingRecords = reader.pendingRecords();
                } catch (RuntimeException e) {
                    pendingRecords = -1; // a figure for the console must never fail the job
                }
            }
        }
        output.broadcastEnd();
    }

    private void emit(T record, long timestamp, boolean hasTimestamp) {
        try {
            output.emit(record, timestamp, hasTimestamp);
            attempt.metrics().recordEmitted();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the reader last said it has not read yet, or -1 when it cannot tell. */
    long pendingRecords() {
        return pendingRecords;
    }

    /** Called by the coordinator: inject a barrier at the next record boundary. */
    void trigger(CheckpointBarrier barrier) {
        post(() -> {
            reader.snapshotState(barrier.checkpointId());
            snapshotAndForward(barrier, 0, null);
            if (barrier.stopAfter()) {
                pausedForStop = true;
            }
        });
    }

    /** Stop-with-savepoint failed: go on reading. */
    void resume() {
        post(() -> pausedForStop = false);
    }

    void requestEnd() {
        post(() -> endRequested = true);
    }

    @Override
    void notifyCheckpointComplete(long checkpointId) throws Exception {
        reader.notifyCheckpointComplete(checkpointId);
    }

    @Override
    void cleanup() throws Exception {
        if (reader != null) {
            reader.close();
        }
    }

    /** Unwinds a source's emit when the attempt is cancelled. */
    static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("cancelled", null, false, false);
        }
    }
}
