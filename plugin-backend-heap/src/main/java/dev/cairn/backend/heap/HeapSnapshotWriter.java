package dev.cairn.backend.heap;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The asynchronous part of a native heap snapshot. Key groups unchanged since the base reference
 * the base's sections. A changed key group gets a delta over them (the entries changed since and
 * the keys removed) when few of its entries changed, else a new section with all its entries;
 * all new sections go into one file. Chains stay short, so a restore reads little more than the
 * state: at most {@link #MAX_DELTAS} deltas, together smaller than the section they follow. A
 * savepoint has no base and writes every key group whole into a file of its own.
 */
final class HeapSnapshotWriter {

    /** The most deltas after one whole section. */
    static final int MAX_DELTAS = 8;
    /** A delta only while at most this share of the key group's entries changed. */
    static final double MAX_CHANGED_SHARE = 0.5;

    record Result(KeyGroupSectionsHandle handle, SnapshotLayout layout) {
    }

    private final SnapshotRequest request;
    private final HeapEntries entries;
    private final KeyGroupDirtyTracker.Capture dirty;
    private final SnapshotLayout base;

    HeapSnapshotWriter(SnapshotRequest request, HeapEntries entries, KeyGroupDirtyTracker.Capture dirty, SnapshotLayout base) {
        this.request = request;
        this.entries = entries;
        this.dirty = dirty;
        this.base = base;
    }

    Result write() throws IOException {
        int start = entries.keyGroupRange().start();
        Map<Integer, List<KeyGroupSection>> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new LinkedHashMap<>();
        KeyGroupChanges changes = base == null ? null : entries.changesSince(base.version());
        SnapshotOutput out = null;
        boolean wrote = false;
        boolean committed = false;
        try (entries) {
            out = request.savepoint()
                    ? request.streams().createOwned("heap-keyed.bin")
                    : request.streams().createShared("heap-keyed-" + request.checkpointId() + ".bin");
            for (int local = 0; local < dirty.lastChange().length; local++) {
                int kg = start + local;
                List<KeyGroupSection> chain = base == null ? List.of() : base.sections().getOrDefault(kg, List.of());
                List<KeyGroupSection> now;
                if (base != null && dirty.lastChange()[local] <= base.version()) {
                    now = chain;
                } else if (extendable(chain, local, kg)) {
                    KeyGroupSection delta = request.sections().writeDelta(changes, kg, out);
                    now = delta == null ? chain : append(chain, delta);
                } else {
                    KeyGroupSection whole = request.sections().write(entries, kg, out);
                    now = whole == null ? List.of() : List.of(whole);
                }
                if (!now.isEmpty()) {
                    sections.put(kg, now);
                    wrote |= now != chain;
                    for (KeyGroupSection s : now) {
                        if (base != null && base.files().containsKey(s.path())) {
                            files.put(s.path(), base.files().get(s.path()));
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
        return new Result(handle, new SnapshotLayout(entries.version(), sections, files));
    }

    /** Whether the key group's changes go into a delta after {@code chain}. */
    private boolean extendable(List<KeyGroupSection> chain, int local, int kg) {
        if (chain.isEmpty() || chain.size() > MAX_DELTAS || dirty.lastWholeRequest()[local] > base.version()) {
            return false;
        }
        long deltaBytes = chain.stream().skip(1).mapToLong(KeyGroupSection::length).sum();
        return deltaBytes < chain.get(0).length() && entries.changedShare(base.version(), kg) <= MAX_CHANGED_SHARE;
    }

    private static List<KeyGroupSection> append(List<KeyGroupSection> chain, KeyGroupSection delta) {
        List<KeyGroupSection> longer = new ArrayList<>(chain);
        longer.add(delta);
        return List.copyOf(longer);
    }
}
