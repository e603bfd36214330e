package dev.cairn.core.internal.checkpoint;

import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.snapshot.SnapshotFormats;

/** What a {@link CheckpointCoordinator} needs of the execution attempt it checkpoints. */
public interface CheckpointedAttempt {

    int sourceCount();

    /** Injects {@code barrier} at every source. */
    void triggerSources(CheckpointBarrier barrier);

    /** The sources go on after a stop-with-savepoint failed. */
    void resumeSources();

    /** How many subtasks acknowledge each snapshot. */
    int taskCount();

    int parallelism();

    int maxParallelism();

    /** The key serializer of each keyed operator, by uid: recorded in the snapshot so that tools can read keys without the job. */
    java.util.Map<String, dev.cairn.spi.snapshot.SerializerSnapshotRef> keySerializers();

    /** Whether checkpoints are incremental (the job asks and the backend can). */
    boolean incremental();

    /** Whether the backend takes native snapshots (else every snapshot is written in the shared layout). */
    boolean nativeSnapshots();

    /** The snapshot formats present now. */
    SnapshotFormats formats();

    /** True once the attempt is failing or cancelled: nothing may complete any more. */
    boolean isTerminating();

    void fail(Throwable cause);

    FailureInjector injector();

    void notifyCheckpointComplete(long id);

    void notifyCheckpointAborted(long id);

    /**
     * The snapshot the attempt ends with has completed: it ends as stopped ({@code stop}) or
     * finished, and a stopped one does not fail over any more (its snapshot is the recovery point).
     */
    void endsWith(boolean stop);

    /** The sources end. */
    void requestEnd();
}
