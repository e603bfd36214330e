package dev.cairn.backend.heap;

/**
 * The entries of one state in one key group: a chained hash table with copy-on-write at entry
 * granularity. A snapshot keeps the bucket array as it is ({@link #view}); the table copies the
 * array before it next changes a bucket, and an entry the snapshot can see is never changed but
 * replaced by a copy, and so is every entry on the way to it in its chain. A checkpoint thus
 * costs nothing on the task thread when it starts, and the next writes one array copy per key
 * group and one small copy per entry they change, not a copy of every key group's map they touch.
 *
 * <p>An entry's version is that of its last change, and the table remembers the keys it removed
 * with the version of their removal: an incremental snapshot writes only what changed since the
 * snapshot it builds on ({@link View#forEachChangedSince}, {@link View#forEachRemovedSince}).
 */
final class KeyGroupTable {

    private static final int MIN_CAPACITY = 16;

    /** One mapping; its fields change only while no running snapshot sees it (its version is newer): the version then becomes the current one. */
    private static final class Entry {
        final Object key;
        final int hash;
        Object value;
        Entry next;
        int version;

        Entry(Object key, int hash, Object value, Entry next, int version) {
            this.key = key;
            this.hash = hash;
            this.value = value;
            this.next = next;
            this.version = version;
        }
    }

    /** The table as a snapshot saw it: safe to read from any thread while the snapshot runs. */
    static final class View {
        private final Entry[] buckets;
        private final int size;
        // the removals as of the view: later ones go to indexes past removedCount, or to new arrays
        private final Object[] removedKeys;
        private final int[] removedVersions;
        private final int removedCount;

        private View(KeyGroupTable table) {
            this.buckets = table.buckets;
            this.size = table.size;
            this.removedKeys = table.removedKeys;
            this.removedVersions = table.removedVersions;
            this.removedCount = table.removedCount;
        }

        int size() {
            return size;
        }

        /** The entries written after the snapshot of version {@code version} began (-1: all of them). */
        void forEachChangedSince(int version, Visitor visitor) throws java.io.IOException {
            for (Entry head : buckets) {
                for (Entry e = head; e != null; e = e.next) {
                    if (e.version > version) {
                        visitor.visit(e.key, e.value);
                    }
                }
            }
        }

        int countChangedSince(int version) {
            int n = 0;
            for (Entry head : buckets) {
                for (Entry e = head; e != null; e = e.next) {
                    if (e.version > version) {
                        n++;
                    }
                }
            }
            return n;
        }

        /** The keys removed after the snapshot of version {@code version} began (some may be back). */
        void forEachRemovedSince(int version, KeyVisitor visitor) throws java.io.IOException {
            for (int i = 0; i < removedCount; i++) {
                if (removedVersions[i] > version) {
                    visitor.visit(removedKeys[i]);
                }
            }
        }
    }

    interface KeyVisitor {
        void visit(Object key) throws java.io.IOException;
    }

    interface Visitor {
        void visit(Object key, Object value) throws java.io.IOException;
    }

    private Entry[] buckets = new Entry[MIN_CAPACITY];
    /** The version {@link #buckets} was created at: a snapshot of that version or later may hold it. */
    private int bucketsVersion;
    private int size;
    private Object[] removedKeys = new Object[0];
    private int[] removedVersions = new int[0];
    private int removedCount;

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    int size() {
        return size;
    }

    Object get(Object key) {
        int h = hash(key);
        for (Entry e = buckets[h & (buckets.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                return e.value;
            }
        }
        return null;
    }

    void put(Object key, Object value, CopyOnWriteVersions versions) {
        int h = hash(key);
        int i = h & (buckets.length - 1);
        Entry previous = null;
        for (Entry e = buckets[i]; e != null; previous = e, e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                if (!versions.shared(e.version)) {
                    e.value = value;
                    e.version = versions.current();
                } else {
                    relink(i, previous, e, new Entry(key, h, value, e.next, versions.current()), versions);
                }
                return;
            }
        }
        ownBuckets(versions);
        buckets[i] = new Entry(key, h, value, buckets[i], versions.current()); // a new head: no entry changes
        if (++size > buckets.length - (buckets.length >>> 2)) {
            resize(versions);
        }
    }

    void remove(Object key, CopyOnWriteVersions versions) {
        int h = hash(key);
        int i = h & (buckets.length - 1);
        Entry previous = null;
        for (Entry e = buckets[i]; e != null; previous = e, e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                relink(i, previous, e, e.next, versions);
                size--;
                recordRemoval(key, versions);
                return;
            }
        }
    }

    /**
     * Puts {@code replacement} where {@code old} was in chain {@code i}: the entry before it points
     * to it, or, if a snapshot sees that entry, a copy does, and so on back to the bucket.
     */
    private void relink(int i, Entry before, Entry old, Entry replacement, CopyOnWriteVersions versions) {
        if (before == null) {
            ownBuckets(versions);
            buckets[i] = replacement;
            return;
        }
        if (!versions.shared(before.version)) {
            before.next = replacement;
            return;
        }
        // the chain up to `before` is rebuilt from copies, as far as a snapshot sees its entries
        Entry[] prefix = new Entry[8];
        int n = 0;
        for (Entry e = buckets[i]; e != old; e = e.next) {
            if (n == prefix.length) {
                prefix = java.util.Arrays.copyOf(prefix, n * 2);
            }
            prefix[n++] = e;
        }
        Entry next = replacement;
        for (int j = n - 1; j >= 0; j--) {
            Entry p = prefix[j];
            if (!versions.shared(p.version)) {
                p.next = next;
                return;
            }
            next = new Entry(p.key, p.hash, p.value, next, versions.current());
        }
        ownBuckets(versions);
        buckets[i] = next;
    }

    /**
     * Remembers a removal for the next incremental snapshot. Removals no later snapshot builds
     * on are dropped when the arrays fill; dropping makes new arrays, as a view may hold these.
     */
    private void recordRemoval(Object key, CopyOnWriteVersions versions) {
        if (removedCount == removedKeys.length) {
            int floor = versions.removalFloor();
            int kept = 0;
            for (int i = 0; i < removedCount; i++) {
                if (removedVersions[i] > floor) {
                    kept++;
                }
            }
            int capacity = Math.max(8, kept * 2);
            Object[] keys = new Object[capacity];
            int[] at = new int[capacity];
            int n = 0;
            for (int i = 0; i < removedCount; i++) {
                if (removedVersions[i] > floor) {
                    keys[n] = removedKeys[i];
                    at[n++] = removedVersions[i];
                }
            }
            removedKeys = keys;
            removedVersions = at;
            removedCount = n;
        }
        removedKeys[removedCount] = key;
        removedVersions[removedCount] = versions.current();
        removedCount++;
    }

    /** Copies the bucket array first if a running snapshot holds it. */
    private void ownBuckets(CopyOnWriteVersions versions) {
        if (versions.shared(bucketsVersion)) {
            buckets = buckets.clone();
            bucketsVersion = versions.current();
        }
    }

    /** Adds or replaces a mapping while the table is restored: no snapshot can see it yet. */
    void putRestored(Object key, Object value) {
        int h = hash(key);
        int i = h & (buckets.length - 1);
        for (Entry e = buckets[i]; e != null; e = e.next) {
            if (e.hash == h && e.key.equals(key)) {
                e.value = value;
                return;
            }
        }
        buckets[i] = new Entry(key, h, value, buckets[i], 0);
        if (++size > buckets.length - (buckets.length >>> 2)) {
            resize(NO_SNAPSHOT);
        }
    }

    private static final CopyOnWriteVersions NO_SNAPSHOT = new CopyOnWriteVersions();

    /** Doubles the buckets; entries a snapshot sees are copied rather than re-chained. */
    private void resize(CopyOnWriteVersions versions) {
        Entry[] grown = new Entry[buckets.length * 2];
        int mask = grown.length - 1;
        for (Entry head : buckets) {
            for (Entry e = head, next; e != null; e = next) {
                next = e.next;
                int j = e.hash & mask;
                if (versions.shared(e.version)) {
                    grown[j] = new Entry(e.key, e.hash, e.value, grown[j], versions.current());
                } else {
                    e.next = grown[j];
                    grown[j] = e;
                }
            }
        }
        buckets = grown;
        bucketsVersion = versions.current();
    }

    /** The table as it is now, for a snapshot that has just begun: from now on it copies what that snapshot sees before changing it. */
    View view() {
        return new View(this);
    }

    /** The keys as they are now, for the task thread (incremental cleanup walks them). */
    Object[] keys() {
        Object[] keys = new Object[size];
        int n = 0;
        for (Entry head : buckets) {
            for (Entry e = head; e != null; e = e.next) {
                keys[n++] = e.key;
            }
        }
        return keys;
    }
}
