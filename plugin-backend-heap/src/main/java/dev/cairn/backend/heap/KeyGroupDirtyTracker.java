package dev.cairn.backend.heap;

/**
 * Remembers, per key group, the version of its last change: an incremental snapshot rewrites
 * only the key groups changed since the snapshot it builds on.
 */
final class KeyGroupDirtyTracker {
    private final int[] lastChange;
    private final CopyOnWriteVersions versions;

    KeyGroupDirtyTracker(int keyGroups, CopyOnWriteVersions versions) {
        this.lastChange = new int[keyGroups];
        this.versions = versions;
    }

    void touch(int localKeyGroup) {
        lastChange[localKeyGroup] = versions.current();
    }

    void touchAll() {
        java.util.Arrays.fill(lastChange, versions.current());
    }

    int[] capture() {
        return lastChange.clone();
    }
}
