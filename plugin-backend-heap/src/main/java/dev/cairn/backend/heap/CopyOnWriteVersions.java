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
        return v;
    }

    /** Called by the asynchronous part when it has read everything it needs. */
    synchronized void releaseSnapshot(int version) {
        running.remove(version);
        highestRunning = running.isEmpty() ? -1 : running.last();
    }

    /** The snapshot of {@code version} completed: later incremental snapshots build on it. */
    void useBase(int version) {
        baseVersion = version;
    }

    /**
     * Removals at or before this version are in every snapshot a later one may build on: the
     * base, or without one, the oldest running snapshot (it may become the base) or the next.
     */
    synchronized int removalFloor() {
        int base = baseVersion;
        if (base >= 0) {
            return base;
        }
        return running.isEmpty() ? current : running.first();
    }

    /** Whether a structure created at {@code version} is still seen by a running snapshot. */
    boolean shared(int version) {
        return version <= highestRunning;
    }
}
