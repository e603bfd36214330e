package dev.cairn.backend.heap;

/**
 * Keys with the version at which something happened to them (removed, changed), for the
 * incremental snapshots to come. Records no later snapshot builds on are dropped when the
 * arrays fill; dropping makes new arrays, as a view may hold these.
 */
final class KeyLog {
    private Object[] keys = new Object[0];
    private int[] versions = new int[0];
    private int count;

    /** Records {@code key} at the current version, unless no snapshot may read the log ({@link CopyOnWriteVersions#keepsChangeLog}). */
    void add(Object key, CopyOnWriteVersions cow) {
        if (cow.keepsChangeLog()) {
            record(key, cow);
        }
    }

    /** Records {@code key} at the current version; the caller checked that the log is kept. */
    void record(Object key, CopyOnWriteVersions cow) {
        if (count == keys.length) {
            compact(cow.removalFloor());
        }
        keys[count] = key;
        versions[count] = cow.current();
        count++;
    }

    private void compact(int floor) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (versions[i] > floor) {
                kept++;
            }
        }
        int capacity = Math.max(8, kept * 2);
        Object[] k = new Object[capacity];
        int[] at = new int[capacity];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (versions[i] > floor) {
                k[n] = keys[i];
                at[n++] = versions[i];
            }
        }
        keys = k;
        versions = at;
        count = n;
    }

    Frozen freeze() {
        return new Frozen(keys, versions, count);
    }

    record Frozen(Object[] keys, int[] versions, int count) {
        void forEachSince(int version, KeyGroupTable.KeyVisitor visitor) throws java.io.IOException {
            for (int i = 0; i < count; i++) {
                if (versions[i] > version) {
                    visitor.visit(keys[i]);
                }
            }
        }

        int countSince(int version) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (versions[i] > version) {
                    n++;
                }
            }
            return n;
        }
    }
}
