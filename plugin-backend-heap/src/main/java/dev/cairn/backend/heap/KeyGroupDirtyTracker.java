package dev.cairn.backend.heap;

/**
 * Remembers, per key group, the version of its last change: an incremental snapshot rewrites
 * only the key groups changed since the snapshot it builds on. A key group whose stored bytes
 * are stale as a whole (its state's serializer migrated) must be written whole, not as a delta.
 */
final class KeyGroupDirtyTracker {
    private final int[] lastChange;
    private final int[] lastWholeRequest;
    private final CopyOnWriteVersions versions;

    KeyGroupDirtyTracker(int keyGroups, CopyOnWriteVersions versions) {
        this.lastChange = new int[keyGroups];
        this.lastWholeRequest = new int[keyGroups];
        this.versions = versions;
    }

    void touch(int localKeyGroup) {
        lastChange[localKeyGroup] = versions.current();
    }

    /** Every key group is written whole by the next snapshot. */
    void rewriteAll() {
        java.util.Arrays.fill(lastChange, versions.current());
        java.util.Arrays.fill(lastWholeRequest, versions.current());
    }

    /** The key groups' last changes and last whole-rewrite requests, as versions. */
    record Capture(int[] lastChange, int[] lastWholeRequest) {
    }

    Capture capture() {
        return new Capture(lastChange.clone(), lastWholeRequest.clone());
    }
}
