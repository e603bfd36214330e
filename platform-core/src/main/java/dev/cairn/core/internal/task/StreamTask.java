package dev.cairn.core.internal.task;

import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.catalog.SnapshotMetadata.SubtaskSnapshot;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.snapshot.FullFormat;
import dev.cairn.core.internal.snapshot.KeyGroupSnapshotWriter;
import dev.cairn.core.internal.snapshot.LayoutSectionWriter;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One operator subtask on its own thread. Control messages (checkpoint triggers, completion
 * notices, stop requests) arrive in a mailbox and run on the task thread between records, so
 * operator code never runs concurrently with itself.
 */
abstract class StreamTask implements Runnable {

    final ExecutionAttempt attempt;
    final String uid;
    final int subtask;
    final OutputRouter output;
    private final ConcurrentLinkedQueue<ThrowingRunnable> mailbox = new ConcurrentLinkedQueue<>();
    OperatorStateStoreImpl operatorState;

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    StreamTask(ExecutionAttempt attempt, String uid, int subtask, OutputRouter output) {
        this.attempt = attempt;
        this.uid = uid;
        this.subtask = subtask;
        this.output = output;
    }

    private int snapshotsWriting;
    /** The task whose thread runs this one: itself, or the upstream task it is chained to. */
    private StreamTask head = this;
    /** Tasks chained to this one, which run on its thread in order (only a head has any). */
    private final List<StreamTask> chained = new java.util.ArrayList<>();

    /** Runs {@code next} on this task's thread: its records arrive by a direct call, not through a gate. */
    final void chain(StreamTask next) {
        head.chained.add(next);
        next.head = head;
    }

    /** Whether this task has a thread of its own. */
    final boolean isHead() {
        return head == this;
    }

    @Override
    public final void run() {
        List<StreamTask> chain = new java.util.ArrayList<>();
        chain.add(this);
        chain.addAll(chained);
        try {
            for (StreamTask t : chain) {
                t.operatorState = new OperatorStateStoreImpl(t.uid, attempt.serializers(), attempt.restoredOperatorState(t.uid, t.subtask));
                t.restoreState();
                t.restoreInFlight();
            }
            // no subtask opens (and no sink commits) before every subtask has read its state: a damaged
            // snapshot must fail the attempt before it has any effect, so that falling back stays exactly-once
            attempt.awaitAllRestored(chain.size());
            for (StreamTask t : chain) {
                t.initialize();
                t.checkNonRestoredState();
            }
            attempt.subtasksOpened(chain.size());
            runLoop();
            // the stop's snapshot may still be being written from these subtasks' state: the state stays open until it is
            for (StreamTask t : chain) {
                t.awaitSnapshotsWritten();
            }
        } catch (InterruptedException e) {
            if (!attempt.isTerminating()) {
                attempt.fail(new IllegalStateException("Subtask " + uid + "/" + subtask + " was interrupted"));
            }
        } catch (Throwable t) {
            attempt.fail(new SubtaskFailure(uid, subtask, t));
        } finally {
            for (StreamTask t : chain) {
                try {
                    t.cleanup();
                } catch (Throwable ignored) {
                    // the attempt is ending anyway; the first failure is the one reported
                }
            }
            chain.forEach(attempt::taskEnded);
        }
    }

    /** Reads this subtask's state from the restore snapshot (keyed backends are created here). */
    void restoreState() throws Exception {
    }

    /** Queues the records in flight a restored unaligned checkpoint holds for this subtask's input. */
    void restoreInFlight() throws Exception {
    }

    /** Opens the operator once every subtask has restored. */
    abstract void initialize() throws Exception;

    abstract void runLoop() throws Exception;

    void cleanup() throws Exception {
    }

    /** The keyed backend, for keyed operators. */
    KeyedStateBackend<?> keyedBackend() {
        return null;
    }

    /** Names of restored keyed and operator state this operator did not register. */
    java.util.Set<String> unclaimedState() {
        return operatorState.unclaimedRestoredStates();
    }

    private void checkNonRestoredState() {
        java.util.Set<String> unclaimed = unclaimedState();
        if (!unclaimed.isEmpty() && !attempt.allowNonRestoredState()) {
            throw new IllegalStateException("The snapshot " + attempt.restoredFrom() + " holds state " + new java.util.TreeSet<>(unclaimed)
                    + " for operator '" + uid + "', which the job does not register. Restore with allowNonRestoredState to drop it.");
        }
    }

    /** Runs {@code action} on this task's thread, between records. */
    final void post(ThrowingRunnable action) {
        head.mailbox.add(action);
    }

    final void processMailbox() throws Exception {
        ThrowingRunnable r;
        while ((r = mailbox.poll()) != null) {
            r.run();
        }
    }

    void notifyCheckpointComplete(long checkpointId) throws Exception {
        KeyedStateBackend<?> backend = keyedBackend();
        if (backend != null) {
            backend.notifyCheckpointComplete(checkpointId);
        }
    }

    void notifyCheckpointAborted(long checkpointId) {
        KeyedStateBackend<?> backend = keyedBackend();
        if (backend != null) {
            backend.notifyCheckpointAborted(checkpointId);
        }
    }

    /**
     * The synchronous part of this subtask's snapshot, then the barrier goes downstream, then the
     * asynchronous part runs on the I/O pool and acknowledges to the coordinator; snapshotted
     * unaligned, once {@code inFlight} has every record queued before the barrier and they are stored too.
     */
    final void snapshotAndForward(CheckpointBarrier barrier, long alignmentNanos, InFlightCapture inFlight) throws Exception {
        long id = barrier.checkpointId();
        dev.cairn.core.internal.crash.CrashPoint.TASK_BEFORE_SNAPSHOT.reach();
        StorageSnapshotStreams streams = attempt.coordinator().streamsFor(barrier, uid, subtask);
        List<OperatorStateStoreImpl.Captured> op = operatorState.capture();
        KeyedStateBackend<?> backend = keyedBackend();
        AsyncSnapshot keyed = backend == null ? null : keyedSnapshot(backend, barrier, streams);
        output.broadcastBarrier(barrier);
        boolean stop = barrier.stopAfter(); // the job ends after this snapshot: its state must stay open until written
        if (stop) {
            snapshotWriting();
        }
        try {
            attempt.ioPool().execute(() -> {
                try {
                    attempt.injector().check(FailureInjector.Point.ASYNC_SNAPSHOT, uid, subtask, id);
                    dev.cairn.core.internal.crash.CrashPoint.SNAPSHOT_BEFORE_UPLOAD.reach();
                    KeyedStateHandle keyedHandle = keyed == null ? null : keyed.write();
                    OperatorStateHandle opHandle = OperatorStateStoreImpl.write(op, streams);
                    if (inFlight == null) {
                        dev.cairn.core.internal.crash.CrashPoint.SNAPSHOT_AFTER_UPLOAD.reach();
                        attempt.coordinator().acknowledge(id, uid, subtask, new SubtaskSnapshot(subtask, keyedHandle, opHandle, null), streams,
                                alignmentNanos, false);
                    } else {
                        inFlight.whenComplete(c -> storeInFlight(c, keyedHandle, opHandle, streams));
                    }
                } catch (Throwable t) {
                    CapturedEntries.discard(keyed);
                    declined(id, t, streams);
                } finally {
                    if (stop) {
                        snapshotWritten();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            CapturedEntries.discard(keyed);
            if (stop) {
                snapshotWritten(); // the attempt is over
            }
            throw e;
        }
    }

    /** Runs once the capture has every channel's barrier (on the thread that delivered the last one). */
    private void storeInFlight(InFlightCapture capture, KeyedStateHandle keyedHandle, OperatorStateHandle opHandle,
                               StorageSnapshotStreams streams) {
        long id = capture.checkpointId();
        try {
            attempt.ioPool().execute(() -> {
                try {
                    if (capture.failure() != null) {
                        throw capture.failure();
                    }
                    dev.cairn.core.internal.catalog.InFlightHandle handle = InFlightRecords.store(capture.buffer(), capture.length(),
                            capture.records(), streams);
                    dev.cairn.core.internal.crash.CrashPoint.SNAPSHOT_AFTER_UPLOAD.reach();
                    attempt.coordinator().acknowledge(id, uid, subtask, new SubtaskSnapshot(subtask, keyedHandle, opHandle, handle), streams,
                            0, true);
                } catch (Throwable t) {
                    declined(id, t, streams);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            declined(id, e, streams); // the attempt is over
        }
    }

    private void declined(long id, Throwable t, StorageSnapshotStreams streams) {
        attempt.coordinator().decline(id, uid, subtask, t, streams);
        if (outOfMemory(t)) {
            attempt.fail(new SubtaskFailure(uid, subtask, t)); // not a checkpoint failure to tolerate: the job fails
        }
    }

    private synchronized void snapshotWriting() {
        snapshotsWriting++;
    }

    private synchronized void snapshotWritten() {
        snapshotsWriting--;
        notifyAll();
    }

    /**
     * Returns once the asynchronous part of the stop's snapshot has ended. A failing subtask does not
     * wait, and a periodic checkpoint still in flight at the end is declined as before.
     */
    private synchronized void awaitSnapshotsWritten() throws InterruptedException {
        while (snapshotsWriting > 0) {
            wait();
        }
    }

    /**
     * The synchronous part of the keyed snapshot: the backend's own (native), or a view of its
     * entries that the kernel writes in the shared key-group layout in the snapshot's format.
     */
    private AsyncSnapshot keyedSnapshot(KeyedStateBackend<?> backend, CheckpointBarrier barrier, StorageSnapshotStreams streams)
            throws Exception {
        if (SnapshotFormats.NATIVE.equals(barrier.format())) {
            return backend.snapshot(new SnapshotRequest(barrier.checkpointId(), barrier.savepoint(), streams,
                    new LayoutSectionWriter(FullFormat.INSTANCE)));
        }
        SnapshotFormat format;
        try {
            format = attempt.formats().require(barrier.format());
        } catch (SnapshotFormats.MissingFormatException e) {
            return () -> {
                throw e; // removed since the snapshot was triggered: the snapshot is declined, the job goes on
            };
        }
        return new CapturedEntries(backend.captureEntries(), format, streams);
    }

    /**
     * A full or canonical snapshot's asynchronous part over the view its synchronous part captured.
     * The view pins what the backend keeps for it (copy-on-write versions, a database snapshot, maps
     * being read), so it is closed when the asynchronous part fails or never runs, not only when it
     * completes.
     */
    private record CapturedEntries(KeyGroupEntries entries, SnapshotFormat format, StorageSnapshotStreams streams) implements AsyncSnapshot {
        @Override
        public KeyedStateHandle write() throws IOException {
            return KeyGroupSnapshotWriter.write(entries, entries.keyGroupRange(), format, streams);
        }

        /**
         * Releases what a snapshot's synchronous part captured when its asynchronous part failed or
         * never ran: the kernel's view, or a native snapshot that can be closed. Closing twice is
         * harmless: the writers close their views too.
         */
        static void discard(AsyncSnapshot snapshot) {
            if (snapshot instanceof CapturedEntries captured) {
                captured.entries().close();
            } else if (snapshot instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    java.util.logging.Logger.getLogger(StreamTask.class.getName()).warning("Cannot release a snapshot that did not complete: " + e);
                }
            }
        }
    }

    /** A failure of one subtask, naming it. */
    private static boolean outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    static final class SubtaskFailure extends Exception {
        SubtaskFailure(String uid, int subtask, Throwable cause) {
            super("Subtask " + subtask + " of operator '" + uid + "' failed: " + cause, cause);
        }
    }
}
