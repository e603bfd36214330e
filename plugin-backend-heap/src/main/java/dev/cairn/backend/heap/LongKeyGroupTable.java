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
 *
 * <p>A restore may leave values in their snapshot bytes ({@link #putAllRestoredSerialized}): the slot
 * holds {@link SerializedValues#MARK}, and each read deserializes it, until the task writes or
 * removes the key or takes the value to change it in place ({@link #getOwned}).
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
    /** The restored values not yet deserialized, and per slot where its value lies there; both null when there are none. */
    private SerializedValues serialized;
    private int[][] serializedAt;
    private int serializedCount;

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
        if (serializedAt != null) {
            serializedAt = new int[pages][pageLength];
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

    /** The slot holding {@code key}, or the free slot that ends its probe run. */
    private static int slotOf(long[][] keys, Object[][] values, int mask, long key) {
        for (int i = home(key, mask); ; i = (i + 1) & mask) {
            if (values[i >>> PAGE_SHIFT][i & OFFSET] == null || keys[i >>> PAGE_SHIFT][i & OFFSET] == key) {
                return i;
            }
        }
    }

    private int slotOf(long key) {
        return slotOf(keys, values, mask, key);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Object get(Object key) {
        int i = slotOf((Long) key);
        Object value = values[i >>> PAGE_SHIFT][i & OFFSET];
        // a value still in bytes is read anew each time, not stored: storing a young object into an old page makes
        // G1 mark and rescan its card (what makes updates with a new object slow), and a read should not pay that.
        // A task that changes the object in place takes it through getOwned, which stores it.
        return value != SerializedValues.MARK ? value : serialized.read(serializedAt[i >>> PAGE_SHIFT][i & OFFSET]);
    }

    /** One value fewer left in bytes: the bytes go once none is. */
    private void deserialized() {
        if (--serializedCount == 0) {
            serialized = null;
            serializedAt = null;
        }
    }

    @Override
    public void put(Object key, Object value, CopyOnWriteVersions versions) {
        long k = (Long) key;
        int i = slotOf(k);
        int page = i >>> PAGE_SHIFT;
        int offset = i & OFFSET;
        Object old = values[page][offset];
        boolean added = old == null;
        ownPage(page, versions);
        if (old == SerializedValues.MARK) {
            deserialized();
        }
        if (old != value) {
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
        if (value != SerializedValues.MARK && !versions.shared(placed[page][offset])) {
            return value;
        }
        // a value still in bytes comes out as a new object, which no snapshot holds
        Object owned = value == SerializedValues.MARK ? serialized.read(serializedAt[page][offset]) : copy.apply(value);
        if (value == SerializedValues.MARK) {
            deserialized();
        }
        ownPage(page, versions);
        values[page][offset] = owned;
        placed[page][offset] = versions.current();
        return owned;
    }

    @Override
    public void remove(Object key, CopyOnWriteVersions versions) {
        int hole = slotOf((Long) key);
        Object gone = values[hole >>> PAGE_SHIFT][hole & OFFSET];
        if (gone == null) {
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
                set(hole, k, value, logged[j >>> PAGE_SHIFT][j & OFFSET], placedAt(j), serializedAt(j), versions);
                hole = j;
            }
        }
        set(hole, 0, null, 0, 0, 0, versions);
        if (gone == SerializedValues.MARK) {
            deserialized(); // after the shift, which moves the other values' places in the bytes
        }
    }

    private int placedAt(int slot) {
        return placed == null ? 0 : placed[slot >>> PAGE_SHIFT][slot & OFFSET];
    }

    private int serializedAt(int slot) {
        return serializedAt == null ? 0 : serializedAt[slot >>> PAGE_SHIFT][slot & OFFSET];
    }

    private void set(int slot, long key, Object value, int loggedAt, int placedAt, int bytesAt, CopyOnWriteVersions versions) {
        int page = slot >>> PAGE_SHIFT;
        int offset = slot & OFFSET;
        ownPage(page, versions);
        keys[page][offset] = key;
        values[page][offset] = value;
        logged[page][offset] = loggedAt;
        if (placed != null) {
            placed[page][offset] = placedAt;
        }
        if (serializedAt != null) {
            serializedAt[page][offset] = bytesAt;
        }
    }

    /** Copies the page first if a running snapshot holds it (and the arrays of pages before that). */
    private void ownPage(int page, CopyOnWriteVersions versions) {
        if (versions.shared(pagesVersion)) {
            keys = keys.clone();
            values = values.clone();
            if (serializedAt != null) {
                serializedAt = serializedAt.clone();
            }
            pagesVersion = versions.current();
        }
        if (versions.shared(pageVersions[page])) {
            keys[page] = keys[page].clone();
            values[page] = values[page].clone();
            if (serializedAt != null) {
                serializedAt[page] = serializedAt[page].clone();
            }
            pageVersions[page] = versions.current();
        }
    }

    private int threshold() {
        return (mask + 1) - ((mask + 1) >>> 2);
    }

    /** Doubles the slots into new pages; the old ones stay as the snapshots holding them saw them. */
    private void grow(int version) {
        resize((mask + 1) * 2, version);
    }

    private void resize(int capacity, int version) {
        long[][] oldKeys = keys;
        Object[][] oldValues = values;
        int[][] oldLogged = logged;
        int[][] oldPlaced = placed;
        int[][] oldSerializedAt = serializedAt;
        allocate(capacity, version);
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
                    if (oldSerializedAt != null) {
                        serializedAt[i >>> PAGE_SHIFT][i & OFFSET] = oldSerializedAt[page][offset];
                    }
                }
            }
        }
    }

    @Override
    public void putRestored(Object key, Object value) {
        long k = (Long) key;
        int i = slotOf(k);
        Object old = values[i >>> PAGE_SHIFT][i & OFFSET];
        keys[i >>> PAGE_SHIFT][i & OFFSET] = k;
        values[i >>> PAGE_SHIFT][i & OFFSET] = value;
        if (placed != null) {
            placed[i >>> PAGE_SHIFT][i & OFFSET] = 0;
        }
        if (old == SerializedValues.MARK) {
            deserialized();
        }
        if (old == null && ++size > threshold()) {
            grow(0); // no snapshot sees a table being restored
        }
    }

    /**
     * Adds or replaces mappings while the table is restored: {@code keys[i]} to the value at {@code
     * at[i]} in {@code values}, left in its bytes until it is written; a later duplicate
     * replaces an earlier one. The table first takes the capacity they need, then fills them page
     * by page: a restore reads keys in the slot order of another table, which here are random
     * slots, and inserting them as they came missed the cache twice per key.
     */
    void putAllRestoredSerialized(SerializedValues values, long[] keys, int[] at, int count) {
        if (serialized != null && serialized != values) {
            throw new IllegalStateException("the table holds values in other restored bytes");
        }
        serialized = values;
        if (serializedAt == null) {
            serializedAt = new int[this.keys.length][this.keys[0].length];
        }
        int capacity = mask + 1;
        while (size + count > capacity - (capacity >>> 2)) {
            capacity *= 2;
        }
        if (capacity > mask + 1) {
            resize(capacity, 0); // no snapshot sees a table being restored
        }
        int pages = this.keys.length;
        // a stable counting sort by home page: duplicates keep their order
        int[] starts = new int[pages + 1];
        for (int j = 0; j < count; j++) {
            starts[(home(keys[j], mask) >>> PAGE_SHIFT) + 1]++;
        }
        for (int page = 0; page < pages; page++) {
            starts[page + 1] += starts[page];
        }
        int[] order = new int[count];
        for (int j = 0; j < count; j++) {
            order[starts[home(keys[j], mask) >>> PAGE_SHIFT]++] = j;
        }
        for (int j : order) {
            int i = slotOf(keys[j]);
            Object old = this.values[i >>> PAGE_SHIFT][i & OFFSET];
            this.keys[i >>> PAGE_SHIFT][i & OFFSET] = keys[j];
            this.values[i >>> PAGE_SHIFT][i & OFFSET] = SerializedValues.MARK;
            serializedAt[i >>> PAGE_SHIFT][i & OFFSET] = at[j];
            if (placed != null) {
                placed[i >>> PAGE_SHIFT][i & OFFSET] = 0;
            }
            if (old != SerializedValues.MARK) {
                serializedCount++;
            }
            if (old == null) {
                size++;
            }
        }
        if (serializedCount == 0) {
            serialized = null;
            serializedAt = null;
        }
    }

    @Override
    public KeyGroupTable.View view() {
        return new View(keys, values, serialized, serializedAt, mask, size, removed.freeze(), changes.freeze());
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

    /** How many values are still in the restored bytes. */
    int valuesInBytes() {
        return serializedCount;
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

    private record View(long[][] keys, Object[][] values, SerializedValues serialized, int[][] serializedAt, int mask, int size,
                        KeyLog.Frozen removed, KeyLog.Frozen changes) implements KeyGroupTable.View {

        private void visit(long key, int page, int offset, Visitor visitor) throws IOException {
            Object value = values[page][offset];
            if (value == SerializedValues.MARK) {
                visitor.visitSerialized(key, serialized, serializedAt[page][offset]);
            } else {
                visitor.visit(key, value);
            }
        }

        @Override
        public void forEachChangedSince(int version, Visitor visitor) throws IOException {
            if (version < 0) {
                for (int page = 0; page < keys.length; page++) {
                    long[] k = keys[page];
                    Object[] v = values[page];
                    for (int offset = 0; offset < k.length; offset++) {
                        if (v[offset] != null) {
                            visit(k[offset], page, offset, visitor);
                        }
                    }
                }
                return;
            }
            // a key changed at several versions, or removed and added again, is logged more than once
            Set<Object> visited = new HashSet<>();
            changes.forEachSince(version, key -> {
                int i = slotOf(keys, values, mask, (Long) key);
                if (values[i >>> PAGE_SHIFT][i & OFFSET] != null && visited.add(key)) {
                    visit((Long) key, i >>> PAGE_SHIFT, i & OFFSET, visitor);
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
