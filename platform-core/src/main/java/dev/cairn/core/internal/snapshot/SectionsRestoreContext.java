package dev.cairn.core.internal.snapshot;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the kernel gives a keyed backend to restore from. Sections (whoever wrote them, in any
 * format) are read, checked and decoded here, so every backend restores from the same entries;
 * when the snapshot's key-group count differs from the job's, every entry is re-assigned by its
 * key's hash (the keys are read with the job's key serializer).
 */
public final class SectionsRestoreContext implements RestoreContext {

    private final List<KeyedStateHandle> handles;
    private final SnapshotReader reader;
    private final boolean baseReusable;
    private final KeyGroupRange range;
    private final int maxParallelism;
    private final int snapshotMaxParallelism;
    private final TypeSerializer<?> keySerializer;
    private final SnapshotFormats formats;

    /**
     * @param handles                the handles overlapping {@code range}, or all of them when the key-group count changed
     * @param snapshotMaxParallelism the key-group count the snapshot was taken with
     */
    public SectionsRestoreContext(List<KeyedStateHandle> handles, SnapshotReader reader, boolean baseReusable, KeyGroupRange range,
                                  int maxParallelism, int snapshotMaxParallelism, TypeSerializer<?> keySerializer, SnapshotFormats formats) {
        this.handles = List.copyOf(handles);
        this.reader = reader;
        this.range = range;
        this.maxParallelism = maxParallelism;
        this.snapshotMaxParallelism = snapshotMaxParallelism;
        this.baseReusable = baseReusable && !rehashes();
        this.keySerializer = keySerializer;
        this.formats = formats;
    }

    private boolean rehashes() {
        return maxParallelism != snapshotMaxParallelism;
    }

    @Override
    public List<KeyedStateHandle> handles() {
        return handles;
    }

    @Override
    public SnapshotReader reader() {
        return reader;
    }

    @Override
    public boolean baseReusable() {
        return baseReusable;
    }

    @Override
    public RestoreContext withHandles(List<KeyedStateHandle> others) {
        return new SectionsRestoreContext(others, reader, baseReusable, range, maxParallelism, snapshotMaxParallelism, keySerializer, formats);
    }

    @Override
    public RestoreContext withReader(SnapshotReader other) {
        return new SectionsRestoreContext(handles, other, baseReusable, range, maxParallelism, snapshotMaxParallelism, keySerializer, formats);
    }

    @Override
    public KeyGroupEntries entries() throws IOException {
        Map<String, Integer> stateIndex = new LinkedHashMap<>();
        List<StateMetaInfo> states = new ArrayList<>();
        Map<Integer, List<Part>> byKeyGroup = new HashMap<>();
        for (KeyedStateHandle h : handles) {
            if (!(h instanceof KeyGroupSectionsHandle handle)) {
                continue;
            }
            int[] stateMap = new int[handle.states().size()];
            for (int i = 0; i < stateMap.length; i++) {
                StateMetaInfo meta = handle.states().get(i);
                stateMap[i] = stateIndex.computeIfAbsent(meta.name(), n -> {
                    states.add(meta);
                    return states.size() - 1;
                });
            }
            SnapshotFormat format = formats.require(handle.format());
            Set<Integer> seen = new HashSet<>();
            for (KeyGroupSection s : handle.sections()) {
                boolean delta = !seen.add(s.keyGroup()); // a key group's later sections in one handle are deltas
                if (rehashes() || range.contains(s.keyGroup())) {
                    byKeyGroup.computeIfAbsent(s.keyGroup(), kg -> new ArrayList<>()).add(new Part(s, format, stateMap, delta));
                }
            }
        }
        List<StateMetaInfo> described = List.copyOf(states);
        return rehashes() ? new RehashedEntries(described, byKeyGroup) : new SectionEntries(described, byKeyGroup);
    }

    /** One stored section and how to read it: all of a key group's entries, or a delta over the sections before it. */
    private record Part(KeyGroupSection section, SnapshotFormat format, int[] stateMap, boolean delta) {
    }

    /** The entries of one key group's sections: streamed as they are, or merged when deltas follow. */
    private void read(List<Part> parts, StateEntrySink sink) throws IOException {
        if (parts.stream().noneMatch(Part::delta)) {
            for (Part p : parts) {
                read(p, null, sink);
            }
            return;
        }
        MergedEntries merged = new MergedEntries();
        for (Part p : parts) {
            if (p.delta()) {
                MergedEntries changed = new MergedEntries();
                read(p, merged::remove, changed);
                merged.replaceWith(changed);
            } else {
                read(p, null, merged);
            }
        }
        merged.emit(sink);
    }

    private void read(Part part, KeyGroupChanges.RemovalSink removals, StateEntrySink sink) throws IOException {
        KeyGroupSection s = part.section();
        byte[] stored = reader.readSection(s); // checks the section's CRC32C, naming the file
        try {
            byte[] framed = part.format().decode(stored);
            if (part.delta()) {
                SectionParser.parseDelta(framed, part.stateMap(), removals, sink);
            } else {
                // only sections the kernel read itself are handed in place: a format plugin's decoded arrays are not known to stay
                SectionParser.parse(framed, part.format().name().equals(SnapshotFormat.FULL), part.stateMap(), sink);
            }
        } catch (CorruptSnapshotException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptSnapshotException(s.path(), "key group " + s.keyGroup() + " (format '" + part.format().name()
                    + "') passed its checksum but cannot be read: " + e.getMessage(), e);
        }
    }

    /** What a restore reads: the merged states of the section handles, over this backend's key groups. */
    private abstract class RestoredEntries implements KeyGroupEntries {
        private final List<StateMetaInfo> states;

        RestoredEntries(List<StateMetaInfo> states) {
            this.states = states;
        }

        @Override
        public List<StateMetaInfo> states() {
            return states;
        }

        @Override
        public KeyGroupRange keyGroupRange() {
            return range;
        }

        @Override
        public void close() {
        }
    }

    /** Reads each key group's sections when asked; distinct key groups may be read at once. */
    private final class SectionEntries extends RestoredEntries {
        private final Map<Integer, List<Part>> byKeyGroup;

        SectionEntries(List<StateMetaInfo> states, Map<Integer, List<Part>> byKeyGroup) {
            super(states);
            this.byKeyGroup = byKeyGroup;
        }

        @Override
        public void read(int keyGroup, StateEntrySink sink) throws IOException {
            SectionsRestoreContext.this.read(byKeyGroup.getOrDefault(keyGroup, List.of()), sink);
        }
    }

    /**
     * The key-group count changed: every old section is read once, each entry's key hashed into
     * the new key groups, and this subtask's entries kept, framed per new key group.
     */
    private final class RehashedEntries extends RestoredEntries {
        private final Map<Integer, List<Part>> old;
        private SectionBuilder[] regrouped;

        RehashedEntries(List<StateMetaInfo> states, Map<Integer, List<Part>> old) {
            super(states);
            this.old = old;
        }

        @Override
        public void read(int keyGroup, StateEntrySink sink) throws IOException {
            SectionBuilder b = regroup()[keyGroup - range.start()];
            if (!b.isEmpty()) {
                int[] identity = new int[states().size()];
                for (int i = 0; i < identity.length; i++) {
                    identity[i] = i;
                }
                SectionParser.parse(b.framed(), true, identity, sink);
            }
        }

        private synchronized SectionBuilder[] regroup() throws IOException {
            if (regrouped != null) {
                return regrouped;
            }
            SectionBuilder[] builders = new SectionBuilder[range.size()];
            for (int i = 0; i < builders.length; i++) {
                builders[i] = new SectionBuilder(256);
            }
            StateEntrySink assign = (state, key, namespace, mapKey, value) -> {
                int kg = KeyGroups.keyGroupFor(readKey(key), maxParallelism);
                if (range.contains(kg)) {
                    builders[kg - range.start()].accept(state, key, namespace, mapKey, value);
                }
            };
            for (List<Part> parts : old.values()) {
                SectionsRestoreContext.this.read(parts, assign);
            }
            for (SectionBuilder b : builders) {
                b.finish();
            }
            regrouped = builders;
            return builders;
        }

        private Object readKey(byte[] key) throws IOException {
            synchronized (keySerializer) {
                return keySerializer.deserialize(new ByteArrayDataInput().over(key, 0, key.length));
            }
        }

        @Override
        public synchronized void close() {
            regrouped = null;
        }
    }
}
