package dev.cairn.backend.heap;

/**
 * A {@link KeyGroupTable} for keys of any type: a chained hash table with copy-on-write at entry
 * granularity. A snapshot keeps the bucket array as it is ({@link #view}); the table copies the
 * array before it next changes a bucket, and an entry the snapshot can see is never changed but
 * replaced by a copy, and so is every entry on the way to it in its chain. A checkpoint thus
 * costs nothing on the task thread when it starts, and the next writes one array copy per key
 * group and one small copy per entry they change, not a copy of every key group's map they touch.
 *
 * <p>The table logs the keys it changed and removed with the version of the change: an
 * incremental snapshot visits only what changed since the snapshot it builds on
 * ({@link View#forEachChangedSince}, {@link View#forEachRemovedSince}), not every entry.
 */
final class ChainedKeyGroupTable implements KeyGroupTable {

    private static final int MIN_CAPACITY = 16;

    /**
     * One mapping; its fields change only while no running snapshot sees it (its version is newer):
     * the version then becomes the current one. The stamp is the version shifted left by one, its
     * low bit set when the mapping changed at that version and is in the change log for it (a copy
     * made only because a snapshot saw the entry has the bit clear: it did not change).
     */
    private static final class Entry {
        final Object key;
        final int hash;
        Object value;
        Entry next;
        int stamp;

        Entry(Object key, int hash, Object value, Entry next, int stamp) {
            this.key = key;
            this.hash = hash;
            this.value = value;
            this.next = next;
            this.stamp = stamp;
        }

        int version() {
            return stamp >>> 1;
        }
    }

    private static int copied(int version) {
        return version << 1;
    }

    private static int changed(int version) {
        return (version << 1) | 1;
    }

    private static final class View implements KeyGroupTable.View {
        private final Entry[] buckets;
        private final int size;
        // the logs as of the view: later records go to indexes past their counts, or to new arrays
        private final KeyLog.Frozen removed;
        private final KeyLog.Frozen changes;

        private View(ChainedKeyGroupTable table) {
            this.buckets = table.buckets;
            this.size = table.size;
            this.removed = table.removed.freeze();
            this.changes = table.changes.freeze();
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void forEachChangedSince(int version, Visitor visitor) throws java.io.IOException {
            if (version < 0) {
                for (Entry head : buckets) {
                    for (Entry e = head; e != null; e = e.next) {
                        visitor.visit(e.key, e.value);
                    }
                }
                return;
            }
            // a key changed at several versions, or removed and added again, is logged more than once
            java.util.Set<Object> visited = new java.util.HashSet<>();
            changes.forEachSince(version, key -> {
                Entry e = find(buckets, key);
                if (e != null && visited.add(key)) {
                    visitor.visit(e.key, e.value);
                }
            });
        }

        @Override
        public int countChangedSince(int version) {
            return version < 0 ? size : Math.min(size, changes.countSince(version));
        }

        @Override
        public void forEachRemovedSince(int version, KeyVisitor visitor) throws java.io.IOException {
            removed.forEachSince(version, visitor);
        }
    }

    private Entry[] buckets = new Entry[MIN_CAPACITY];
    /** The version {@link #buckets} was created at: a snapshot of that version or later may hold it. */
    private int bucketsVersion;
    private int size;
    private final KeyLog removed = new KeyLog();
    private final KeyLog changes = new KeyLog();

    private static int hash(Object key) {
        int h = key.hashCode();
        return h ^ (h >>> 16);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(Object key) {
        Entry e = find(buckets, key);
        return e == null ? null : e.value;
    }

    @Override
    public Object getOwned(Object key, CopyOnWriteVersions versions, java.util.function.UnaryOperator<Object> copy) {
        Entry e = find(buckets, key);
        if (e == null) {
            return null;
        }
        // a value changed at a version no running snapshot sees is the task's; an entry copied only
        // because a snapshot saw it (low bit clear) may still hold an object that snapshot reads
        if ((e.stamp & 1) == 1 && !versions.shared(e.version())) {
            return e.value;
        }
        Object owned = copy.apply(e.value);
        put(key, owned, versions);
        return owned;
    }

    private static Entry find(Entry[] buckets, Object key) {
        int h = hash(key);
        for (Entry e = buckets[h & (buckets.length - 1)]; e != null; e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                return e;
            }
        }
        return null;
    }

    @Override
    public void put(Object key, Object value, CopyOnWriteVersions versions) {
        int h = hash(key);
        int i = h & (buckets.length - 1);
        Entry previous = null;
        for (Entry e = buckets[i]; e != null; previous = e, e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                int stamp = changed(versions.current());
                if (e.stamp != stamp) {
                    changes.add(key, versions);
                }
                if (!versions.shared(e.version())) {
                    if (e.value != value) { // written back after a change in place: see LongKeyGroupTable#put
                        e.value = value;
                    }
                    e.stamp = stamp;
                } else {
                    relink(i, previous, e, new Entry(key, h, value, e.next, stamp), versions);
                }
                return;
            }
        }
        ownBuckets(versions);
        changes.add(key, versions);
        buckets[i] = new Entry(key, h, value, buckets[i], changed(versions.current())); // a new head: no entry changes
        if (++size > buckets.length - (buckets.length >>> 2)) {
            resize(versions);
        }
    }

    @Override
    public void remove(Object key, CopyOnWriteVersions versions) {
        int h = hash(key);
        int i = h & (buckets.length - 1);
        Entry previous = null;
        for (Entry e = buckets[i]; e != null; previous = e, e = e.next) {
            if (e.hash == h && (e.key == key || e.key.equals(key))) {
                relink(i, previous, e, e.next, versions);
                size--;
                removed.add(key, versions);
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
        if (!versions.shared(before.version())) {
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
            if (!versions.shared(p.version())) {
                p.next = next;
                return;
            }
            next = new Entry(p.key, p.hash, p.value, next, copied(versions.current()));
        }
        ownBuckets(versions);
        buckets[i] = next;
    }

    /** Copies the bucket array first if a running snapshot holds it. */
    private void ownBuckets(CopyOnWriteVersions versions) {
        if (versions.shared(bucketsVersion)) {
            buckets = buckets.clone();
            bucketsVersion = versions.current();
        }
    }

    @Override
    public void putRestored(Object key, Object value) {
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
                if (versions.shared(e.version())) {
                    grown[j] = new Entry(e.key, e.hash, e.value, grown[j], copied(versions.current()));
                } else {
                    e.next = grown[j];
                    grown[j] = e;
                }
            }
        }
        buckets = grown;
        bucketsVersion = versions.current();
    }

    @Override
    public KeyGroupTable.View view() {
        return new View(this);
    }

    @Override
    public Object[] keys() {
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
