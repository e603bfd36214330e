package dev.cairn.core.internal.checkpoint;

import dev.cairn.core.internal.catalog.SnapshotMetadata.SubtaskSnapshot;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A checkpoint or savepoint that was triggered and has not completed or been aborted. */
final class PendingCheckpoint {
    final CheckpointBarrier barrier;
    final String directory;
    final String name;
    final dev.cairn.core.internal.ledger.Ownership ownership;
    final long triggeredAt;
    final int expectedAcks;
    final Map<String, TreeMap<Integer, SubtaskSnapshot>> acks = new TreeMap<>();
    final List<StorageSnapshotStreams> streams = new CopyOnWriteArrayList<>();
    final CompletableFuture<String> completion = new CompletableFuture<>();
    private int ackCount;
    private long alignmentNanos;
    private int unalignedSubtasks;

    PendingCheckpoint(CheckpointBarrier barrier, String directory, String name, dev.cairn.core.internal.ledger.Ownership ownership,
                      long triggeredAt, int expectedAcks) {
        this.barrier = barrier;
        this.directory = directory;
        this.name = name;
        this.ownership = ownership;
        this.triggeredAt = triggeredAt;
        this.expectedAcks = expectedAcks;
    }

    /** The longest alignment among the subtasks acknowledged so far. */
    long alignmentNanos() {
        return alignmentNanos;
    }

    /** How many subtasks snapshotted before their input was aligned. */
    int unalignedSubtasks() {
        return unalignedSubtasks;
    }

    long id() {
        return barrier.checkpointId();
    }

    /** @return true when every subtask has acknowledged */
    boolean acknowledge(String uid, int subtask, SubtaskSnapshot snapshot, long subtaskAlignmentNanos, boolean unaligned) {
        alignmentNanos = Math.max(alignmentNanos, subtaskAlignmentNanos);
        unalignedSubtasks += unaligned ? 1 : 0;
        if (acks.computeIfAbsent(uid, u -> new TreeMap<>()).put(subtask, snapshot) == null) {
            ackCount++;
        }
        return ackCount == expectedAcks;
    }
}
