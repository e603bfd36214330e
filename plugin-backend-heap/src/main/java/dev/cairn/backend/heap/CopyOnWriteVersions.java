package dev.cairn.backend.heap;

import java.util.TreeSet;

/**
 * Versions that make copy-on-write cheap. Each snapshot takes the current version and bumps it;
 * a structure created at version v is seen by every running snapshot whose version is >= v, and
 * must be copied before it is changed. When no snapshot runs, nothing is copied.
 */
final class CopyOnWriteVersions {
    private final TreeSet<Integer> running = new TreeSet<>();
    private volatile int highestRunning = -1;
    private int current = 1;
    /** The version of the snapshot the next incremental one builds on; -1 before there is one. */
    private volatile int baseVersion = -1;
    /** Checkpoints taken but not yet completed or aborted, by id: each may become the base. */
    private final java.util.TreeMap<Long, Integer> candidates = new java.util.TreeMap<>();
    /** Whether a snapshot may yet build on what changes now (see {@link #keepsChangeLog}). */
    private volatile boolean changeLogKept;

    int current() {
        return current;
    }

    /**
     * Called on the task thread by the synchronous part of a snapshot. Starts and releases run on
     * different threads: under one lock, a release never overwrites the mark a start just set.
     */
    synchronized int startSnapshot() {
        int v = current++;
        running.add(v);
        highestRunning = v;
        changeLogKept = true;
        return v;
    }

    /** Called by the asynchronous part when it has read everything it needs. */
    synchronized void releaseSnapshot(int version) {
        running.remove(version);
        highestRunning = running.isEmpty() ? -1 : running.last();
        updateChangeLogKept();
    }

    /** The snapshot of {@code version} completed: later incremental snapshots build on it. */
    synchronized void useBase(int version) {
        baseVersion = version;
        updateChangeLogKept();
    }

    /** Checkpoint {@code checkpointId} took the snapshot of {@code version}, which becomes the base if it completes. */
    synchronized void candidate(long checkpointId, int version) {
        candidates.put(checkpointId, version);
        changeLogKept = true;
    }

    /** Whether checkpoint {@code checkpointId} took a snapshot that may still become the base. */
    synchronized boolean isCandidate(long checkpointId) {
        return candidates.containsKey(checkpointId);
    }

    /** Checkpoint {@code checkpointId} completed or was aborted: it and earlier ones no longer become the base. */
    synchronized void settled(long checkpointId, boolean andEarlier) {
        if (andEarlier) {
            candidates.headMap(checkpointId, true).clear();
        } else {
            candidates.remove(checkpointId);
        }
        updateChangeLogKept();
    }

    private void updateChangeLogKept() {
        changeLogKept = baseVersion >= 0 || !candidates.isEmpty() || !running.isEmpty();
    }

    /**
     * Whether the tables must log what changes now: only an incremental snapshot building on the
     * base, on a checkpoint that may become it, or on a running snapshot reads the logs, and with
     * none of them (no incremental checkpoints, the default) a change made now is never read.
     */
    boolean keepsChangeLog() {
        return changeLogKept;
    }

    /**
     * Removals at or before this version are in every snapshot a later one may build on: the
     * base and each checkpoint that may still become it (the oldest of them), else the oldest
     * running snapshot, else the next one.
     */
    synchronized int removalFloor() {
        int floor = baseVersion >= 0 ? baseVersion : Integer.MAX_VALUE;
        for (int v : candidates.values()) {
            floor = Math.min(floor, v);
        }
        if (!running.isEmpty()) {
            floor = Math.min(floor, running.first());
        }
        return floor == Integer.MAX_VALUE ? current : floor;
    }

    /** Whether a snapshot is reading the state now. */
    boolean anyRunning() {
        return highestRunning >= 0;
    }

    /** Whether a structure created at {@code version} is still seen by a running snapshot. */
    boolean shared(int version) {
        return version <= highestRunning;
    }
}
