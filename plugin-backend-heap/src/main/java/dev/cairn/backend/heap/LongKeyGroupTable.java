package dev.cairn.backend.heap;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A {@link KeyGroupTable} for {@code Long} keys without namespace, the most common keyed state:
 * open addressing with linear probing over a {@code long[]} of keys and an {@code Object[]} of
 * values. A lookup reads one slot of each array and never a key object or an entry object, where a
 * chained table reads the bucket, the entry and the boxed key (each a likely cache miss at a
 * million keys); an entry costs 12 bytes per slot instead of a 32-byte entry and a 16-byte
 * {@code Long}.
 *
 * <p>Copy-on-write is per page of {@value #PAGE} slots: a snapshot keeps the page arrays as they
 * are, and the table copies a page before it next changes a slot in it (and the arrays of pages
 * before it first changes one of them). Growth builds new pages and leaves the old ones to the
 * snapshots that hold them. Removal shifts the rest of the probe run back (no tombstones), on
 * writable pages too.
 */
final class LongKeyGroupTable implements KeyGroupTable {

    private static final int PAGE_SHIFT = 10;
    private static final int PAGE = 1 << PAGE_SHIFT;
    private static final int OFFSET = PAGE - 1;
    private static final int MIN_CAPACITY = 8;

    // slot i is [i >>> PAGE_SHIFT][i & OFFSET]; a slot is free when its value is null
    private long[][] keys;
    private Object[][] values;
    /** Per slot, the version at which its key last went into the change log: once per version is enough. */
    private int[][] logged;
    /**
     * Per slot, the version its value object was stored at, once the task first asked for a value it
     * may change in place ({@link #getOwned}); until then {@code null}, and 0 (any running snapshot
     * may hold it) for the slots filled before.
     */
    private int[][] placed;
    /** The version each page was created or copied at: a snapshot of that version or later may hold it. */
    private int[] pageVersions;
    /** The version the arrays of pages were created at. */
    private int pagesVersion;
    private int mask;
    private int size;
    private final KeyLog removed = new KeyLog();
    private final KeyLog changes = new KeyLog();

    LongKeyGroupTable() {
        allocate(MIN_CAPACITY, 0);
    }

    private void allocate(int capacity, int version) {
        int pageLength = Math.min(capacity, PAGE);
        int pages = capacity / pageLength;
        keys = new long[pages][pageLength];
        values = new Object[pages][pageLength];
        logged = new int[pages][pageLength];
        if (placed != null) {
            placed = new int[pages][pageLength];
        }
        pageVersions = new int[pages];
        Arrays.fill(pageVersions, version);
        pagesVersion = version;
        mask = capacity - 1;
    }

    /**
     * MurmurHash3's finalizer over the key and the capacity: keys that differ in a few bits (ids,
     * timestamps) spread over the slots, and each capacity hashes differently. Tables are filled in
     * the slot order of another table (a restore reads what a snapshot wrote in slot order, growth
     * re-inserts in slot order): under the same hash those keys would come in sweeps over the table,
     * each sweep crowding the runs the one before left, and inserts would take ever longer.
     */
    private static int home(long key, int mask) {
        long h = key + mask * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
        h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return (int) (h ^ (h >>> 33)) & mask;
    }

    private static Object find(long[][] keys, Object[][] values, int mask, long key) {
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            Object value = values[i >>> PAGE_SHIFT][i & OFFSET];
            if (value == null || keys[i >>> PAGE_SHIFT][i & OFFSET] == key) {
                return value;
            }
        }
    }

    /** The slot holding {@code key}, or the free slot that ends its probe run. */
    private int slotOf(long key) {
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            if (values[i >>> PAGE_SHIFT][i & OFFSET] == null || keys[i >>> PAGE_SHIFT][i & OFFSET] == key) {
                return i;
            }
        }
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(Object key) {
        return find(keys, values, mask, (Long) key);
    }

    @Override
    public void put(Object key, Object value, CopyOnWriteVersions versions) {
        long k = (Long) key;
        int i = slotOf(k);
        int page = i >>> PAGE_SHIFT;
        int offset = i & OFFSET;
        boolean added = values[page][offset] == null;
        ownPage(page, versions);
        if (values[page][offset] != value) {
            // an object changed in place and written back (an accumulator) is already here; storing it again would
            // make G1 mark the array's card and rescan its 128 references at the next collection
            values[page][offset] = value;
        }
        if (added) {
            keys[page][offset] = k;
        }
        if (placed != null) {
            placed[page][offset] = versions.current();
        }
        if (versions.keepsChangeLog()) {
            int version = versions.current();
            if (added || logged[page][offset] != version) {
                changes.record(key, versions);
                logged[page][offset] = version;
            }
        }
        if (added && ++size > threshold()) {
            grow(versions.current());
        }
    }

    @Override
    public Object getOwned(Object key, CopyOnWriteVersions versions, java.util.function.UnaryOperator<Object> copy) {
        int i = slotOf((Long) key);
        int page = i >>> PAGE_SHIFT;
        int offset = i & OFFSET;
        Object value = values[page][offset];
        if (value == null) {
            return null;
        }
        if (placed == null) {
            placed = new int[keys.length][keys[0].length];
        }
        if (!versions.shared(placed[page][offset])) {
            return value;
        }
        Object owned = copy.apply(value);
        ownPage(page, versions);
        values[page][offset] = owned;
        placed[page][offset] = versions.current();
        return owned;
    }

    @Override
    public void remove(Object key, CopyOnWriteVersions versions) {
        int hole = slotOf((Long) key);
        if (values[hole >>> PAGE_SHIFT][hole & OFFSET] == null) {
            return;
        }
        removed.add(key, versions);
        size--;
        // later entries of the probe run move back into the hole where their own run passes it
        for (int j = (hole + 1) & mask; ; j = (j + 1) & mask) {
            Object value = values[j >>> PAGE_SHIFT][j & OFFSET];
            if (value == null) {
                break;
            }
            long k = keys[j >>> PAGE_SHIFT][j & OFFSET];
            if (((j - home(k, mask)) & mask) >= ((j - hole) & mask)) {
                set(hole, k, value, logged[j >>> PAGE_SHIFT][j & OFFSET], placedAt(j), versions);
                hole = j;
            }
        }
        set(hole, 0, null, 0, 0, versions);
    }

    private int placedAt(int slot) {
        return placed == null ? 0 : placed[slot >>> PAGE_SHIFT][slot & OFFSET];
    }

    private void set(int slot, long key, Object value, int loggedAt, int placedAt, CopyOnWriteVersions versions) {
        int page = slot >>> PAGE_SHIFT;
        int offset = slot & OFFSET;
        ownPage(page, versions);
        keys[page][offset] = key;
        values[page][offset] = value;
        logged[page][offset] = loggedAt;
        if (placed != null) {
            placed[page][offset] = placedAt;
        }
    }

    /** Copies the page first if a running snapshot holds it (and the arrays of pages before that). */
    private void ownPage(int page, CopyOnWriteVersions versions) {
        if (versions.shared(pagesVersion)) {
            keys = keys.clone();
            values = values.clone();
            pagesVersion = versions.current();
        }
        if (versions.shared(pageVersions[page])) {
            keys[page] = keys[page].clone();
            values[page] = values[page].clone();
            pageVersions[page] = versions.current();
        }
    }

    private int threshold() {
        return (mask + 1) - ((mask + 1) >>> 2);
    }

    /** Doubles the slots into new pages; the old ones stay as the snapshots holding them saw them. */
    private void grow(int version) {
        long[][] oldKeys = keys;
        Object[][] oldValues = values;
        int[][] oldLogged = logged;
        int[][] oldPlaced = placed;
        allocate((mask + 1) * 2, version);
        for (int page = 0; page < oldKeys.length; page++) {
            for (int offset = 0; offset < oldKeys[page].length; offset++) {
                Object value = oldValues[page][offset];
                if (value != null) {
                    int i = slotOf(oldKeys[page][offset]);
                    keys[i >>> PAGE_SHIFT][i & OFFSET] = oldKeys[page][offset];
                    values[i >>> PAGE_SHIFT][i & OFFSET] = value;
                    logged[i >>> PAGE_SHIFT][i & OFFSET] = oldLogged[page][offset];
                    if (oldPlaced != null) {
                        placed[i >>> PAGE_SHIFT][i & OFFSET] = oldPlaced[page][offset];
                    }
                }
            }
        }
    }

    @Override
    public void putRestored(Object key, Object value) {
        long k = (Long) key;
        int i = slotOf(k);
        boolean added = values[i >>> PAGE_SHIFT][i & OFFSET] == null;
        keys[i >>> PAGE_SHIFT][i & OFFSET] = k;
        values[i >>> PAGE_SHIFT][i & OFFSET] = value;
        if (placed != null) {
            placed[i >>> PAGE_SHIFT][i & OFFSET] = 0;
        }
        if (added && ++size > threshold()) {
            grow(0); // no snapshot sees a table being restored
        }
    }

    @Override
    public KeyGroupTable.View view() {
        return new View(keys, values, mask, size, removed.freeze(), changes.freeze());
    }

    @Override
    public Object[] keys() {
        Object[] all = new Object[size];
        int n = 0;
        for (int page = 0; page < keys.length; page++) {
            for (int offset = 0; offset < keys[page].length; offset++) {
                if (values[page][offset] != null) {
                    all[n++] = keys[page][offset];
                }
            }
        }
        return all;
    }

    /** The mean distance of the entries from their home slots: what a lookup walks past. */
    double meanDisplacement() {
        long total = 0;
        for (int i = 0; i <= mask; i++) {
            if (values[i >>> PAGE_SHIFT][i & OFFSET] != null) {
                total += (i - home(keys[i >>> PAGE_SHIFT][i & OFFSET], mask)) & mask;
            }
        }
        return size == 0 ? 0 : (double) total / size;
    }

    private record View(long[][] keys, Object[][] values, int mask, int size, KeyLog.Frozen removed,
                        KeyLog.Frozen changes) implements KeyGroupTable.View {

        @Override
        public void forEachChangedSince(int version, Visitor visitor) throws IOException {
            if (version < 0) {
                for (int page = 0; page < keys.length; page++) {
                    long[] k = keys[page];
                    Object[] v = values[page];
                    for (int offset = 0; offset < k.length; offset++) {
                        if (v[offset] != null) {
                            visitor.visit(k[offset], v[offset]);
                        }
                    }
                }
                return;
            }
            // a key changed at several versions, or removed and added again, is logged more than once
            Set<Object> visited = new HashSet<>();
            changes.forEachSince(version, key -> {
                Object value = find(keys, values, mask, (Long) key);
                if (value != null && visited.add(key)) {
                    visitor.visit(key, value);
                }
            });
        }

        @Override
        public int countChangedSince(int version) {
            return version < 0 ? size : Math.min(size, changes.countSince(version));
        }

        @Override
        public void forEachRemovedSince(int version, KeyVisitor visitor) throws IOException {
            removed.forEachSince(version, visitor);
        }
    }
}
