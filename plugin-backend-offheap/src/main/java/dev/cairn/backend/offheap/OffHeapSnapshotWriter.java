package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.StateEntrySink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The asynchronous part of a native off-heap snapshot, in the kernel's key-group layout. A key
 * group no store changed since the base references the base's sections. A changed one gets a
 * delta over them (the keys its stores logged, read as of the capture) when few of its keys
 * changed and the log holds all of them, else a section with all its entries; the new sections go
 * into one file. At most {@link #MAX_DELTAS} deltas follow a whole section, and together they stay
 * smaller than it, so a restore reads little more than the state. A savepoint has no base and
 * writes every key group whole into a file of its own.
 */
final class OffHeapSnapshotWriter {

    /** The most deltas after one whole section. */
    static final int MAX_DELTAS = 8;
    /** A delta only while at most this share of the key group's rows changed. */
    static final double MAX_CHANGED_SHARE = 0.5;

    /** Where each key group's bytes are in a completed checkpoint: its whole section, then the deltas since. */
    record Layout(Map<Integer, List<KeyGroupSection>> sections, Map<String, FileRef> files) {
    }

    /** What the synchronous part saw of one key group: each state's logged changes, and its rows then. */
    record KeyGroupChangeLog(ChangeLog.Slice[] slices, long rows) {
        boolean complete() {
            for (ChangeLog.Slice s : slices) {
                if (!s.complete()) {
                    return false;
                }
            }
            return true;
        }

        boolean unchanged() {
            if (!complete()) {
                return false;
            }
            for (ChangeLog.Slice s : slices) {
                if (!s.empty()) {
                    return false;
                }
            }
            return true;
        }
    }

    record Result(KeyGroupSectionsHandle handle, Layout layout) {
    }

    private final SnapshotRequest request;
    private final OffHeapEntries entries;
    private final KeyGroupChangeLog[] logs;
    private final Layout base;
    private final LocalCopies copies;

    /**
     * {@code base} is null for a savepoint or when no checkpoint to build on completed; {@code logs} are by local key
     * group; a checkpoint's new file is also copied to {@code copies} (null without local recovery).
     */
    OffHeapSnapshotWriter(SnapshotRequest request, OffHeapEntries entries, KeyGroupChangeLog[] logs, Layout base, LocalCopies copies) {
        this.request = request;
        this.entries = entries;
        this.logs = logs;
        this.base = base;
        this.copies = copies;
    }

    /** Whether the key group references its base sections as they are: the synchronous part gives up its captures then. */
    boolean unchanged(int local) {
        return base != null && logs[local].unchanged();
    }

    Result write() throws IOException {
        int start = entries.keyGroupRange().start();
        Map<Integer, List<KeyGroupSection>> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new LinkedHashMap<>();
        SnapshotOutput out = null;
        boolean wrote = false;
        boolean committed = false;
        try (entries) {
            if (request.savepoint()) {
                out = request.streams().createOwned("offheap-keyed.bin");
            } else {
                out = request.streams().createShared("offheap-keyed-" + request.checkpointId() + ".bin");
                out = copies == null ? out : copies.copying(out);
            }
            for (int local = 0; local < logs.length; local++) {
                int kg = start + local;
                List<KeyGroupSection> chain = base == null ? List.of() : base.sections().getOrDefault(kg, List.of());
                List<KeyGroupSection> now;
                boolean unchanged = unchanged(local);
                List<Set<RowKey>> changed = unchanged ? null : changedKeys(chain, local);
                if (unchanged) {
                    now = chain;
                } else if (changed != null) {
                    KeyGroupSection delta = request.sections().writeDelta(new ChangedKeys(changed), kg, out);
                    now = delta == null ? chain : append(chain, delta);
                } else {
                    KeyGroupSection whole = request.sections().write(entries, kg, out);
                    now = whole == null ? List.of() : List.of(whole);
                }
                if (!now.isEmpty()) {
                    sections.put(kg, now);
                    wrote |= now != chain;
                    for (KeyGroupSection s : now) {
                        FileRef earlier = base == null ? null : base.files().get(s.path());
                        if (earlier != null) {
                            files.put(s.path(), earlier);
                        }
                    }
                }
            }
            if (wrote) {
                FileRef file = out.closeAndGetRef();
                files.put(file.path(), file);
                committed = true;
            }
        } finally {
            if (!committed && out != null) {
                out.close(); // discards the empty or partial file
            }
        }
        List<KeyGroupSection> all = new ArrayList<>();
        sections.values().forEach(all::addAll);
        KeyGroupSectionsHandle handle = new KeyGroupSectionsHandle(request.sections().format(), entries.keyGroupRange(), entries.states(),
                all, new ArrayList<>(files.values()));
        return new Result(handle, new Layout(sections, files));
    }

    /** The distinct keys each state changed, when they go into a delta after {@code chain}; else null (the key group is written whole). */
    private List<Set<RowKey>> changedKeys(List<KeyGroupSection> chain, int local) {
        KeyGroupChangeLog log = logs[local];
        if (base == null || chain.isEmpty() || chain.size() > MAX_DELTAS || !log.complete()) {
            return null;
        }
        long deltaBytes = chain.stream().skip(1).mapToLong(KeyGroupSection::length).sum();
        if (deltaBytes >= chain.get(0).length()) {
            return null;
        }
        List<Set<RowKey>> keys = new ArrayList<>(log.slices().length);
        long count = 0;
        for (ChangeLog.Slice slice : log.slices()) {
            Set<RowKey> distinct = new LinkedHashSet<>();
            slice.forEach(prefix -> distinct.add(new RowKey(prefix)));
            keys.add(distinct);
            count += distinct.size();
        }
        return count <= MAX_CHANGED_SHARE * log.rows() ? keys : null;
    }

    private static List<KeyGroupSection> append(List<KeyGroupSection> chain, KeyGroupSection delta) {
        List<KeyGroupSection> longer = new ArrayList<>(chain);
        longer.add(delta);
        return List.copyOf(longer);
    }

    /**
     * The changes of one key group for the kernel's delta writer, which asks for the removals
     * first: both come from one read of the changed keys, whose entries wait here until asked for.
     */
    private final class ChangedKeys implements KeyGroupChanges {
        private record Entry(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
        }

        private final List<Set<RowKey>> keys;
        private List<Entry> changed;
        private List<Entry> removed;

        ChangedKeys(List<Set<RowKey>> keys) {
            this.keys = keys;
        }

        private void readOnce(int keyGroup) throws IOException {
            if (changed == null) {
                List<Entry> c = new ArrayList<>();
                List<Entry> r = new ArrayList<>();
                entries.readKeys(keyGroup, keys, (state, key, namespace, mapKey, value) -> c.add(new Entry(state, key, namespace, mapKey, value)),
                        (state, key, namespace) -> r.add(new Entry(state, key, namespace, null, null)));
                changed = c;
                removed = r;
            }
        }

        @Override
        public void readChanged(int keyGroup, StateEntrySink sink) throws IOException {
            readOnce(keyGroup);
            for (Entry e : changed) {
                sink.accept(e.state(), e.key(), e.namespace(), e.mapKey(), e.value());
            }
        }

        @Override
        public void readRemoved(int keyGroup, RemovalSink sink) throws IOException {
            readOnce(keyGroup);
            for (Entry e : removed) {
                sink.removed(e.state(), e.key(), e.namespace());
            }
        }
    }
}
