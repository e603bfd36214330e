package dev.cairn.backend.heap;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The heap state as a snapshot's synchronous part saw it: each state's per-key-group maps of that
 * moment (copy-on-write keeps them unchanged while the task goes on) and the serializers to write
 * them. Closing releases the snapshot's copy-on-write version.
 */
final class HeapEntries implements KeyGroupEntries {

    /** One state's maps as of the synchronous part, with the serializers to write them. */
    private record CapturedState(StateKind kind, StateMetaInfo meta, TypeSerializer<Object> namespaceSerializer,
                                 TypeSerializer<Object> valueSerializer, TypeSerializer<Object> mapKeySerializer,
                                 ElementFilter filter, KeyGroupTable.View[] maps) {
    }

    private final KeyGroupRange range;
    private final TypeSerializer<Object> keySerializer;
    private final CopyOnWriteVersions versions;
    private final int version;
    private final List<CapturedState> states = new ArrayList<>();
    private boolean closed;

    @SuppressWarnings("unchecked")
    HeapEntries(KeyGroupRange range, TypeSerializer<?> keySerializer, CopyOnWriteVersions versions, Iterable<HeapState> live) {
        this.range = range;
        this.keySerializer = (TypeSerializer<Object>) keySerializer;
        this.versions = versions;
        this.version = versions.startSnapshot();
        for (HeapState s : live) {
            KeyGroupTable.View[] maps = new KeyGroupTable.View[s.tables.length];
            for (int i = 0; i < maps.length; i++) {
                maps[i] = s.tables[i].view();
            }
            // the serializers as of now: a later registration must not change this snapshot
            states.add(new CapturedState(s.kind, s.meta, s.namespaceSerializer, s.valueSerializer, s.mapKeySerializer, s.snapshotFilter, maps));
        }
    }

    @Override
    public List<StateMetaInfo> states() {
        return states.stream().map(CapturedState::meta).toList();
    }

    /** The copy-on-write version of the moment the view was captured. */
    int version() {
        return version;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return range;
    }

    /**
     * The captured maps do not change while the view is open (copy-on-write), so any thread may read
     * them; the serializers must allow it too.
     */
    @Override
    public boolean readsConcurrently() {
        if (!keySerializer.isStateless()) {
            return false;
        }
        for (CapturedState s : states) {
            if (!s.namespaceSerializer().isStateless() || !s.valueSerializer().isStateless()
                    || (s.mapKeySerializer() != null && !s.mapKeySerializer().isStateless())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void read(int keyGroup, StateEntrySink sink) throws IOException {
        readChangedSince(-1, keyGroup, sink);
    }

    private void readChangedSince(int baseVersion, int keyGroup, StateEntrySink sink) throws IOException {
        ByteArrayDataOutput parts = new ByteArrayDataOutput(); // one per key group: runs of key groups are read on several threads
        int local = keyGroup - range.start();
        for (int i = 0; i < states.size(); i++) {
            CapturedState s = states.get(i);
            int index = i;
            s.maps()[local].forEachChangedSince(baseVersion, new KeyGroupTable.Visitor() {
                private SerializedValues checked;
                private boolean asStored;

                @Override
                public void visit(Object key, Object stored) throws IOException {
                    Object value = HeapState.filter(s.kind(), stored, s.filter(), version);
                    if (value != null) {
                        write(index, s, key, value, parts, sink);
                    }
                }

                @Override
                public void visitSerialized(Object key, SerializedValues values, int at) throws IOException {
                    if (values != checked) {
                        checked = values;
                        // a TTL filter reads the object; a serializer registered since may write other bytes
                        asStored = s.filter() == null && values.writtenAs(s.meta().valueSerializer());
                    }
                    if (!asStored) {
                        visit(key, values.read(at));
                        return;
                    }
                    int keyLength = serializeKey(s, key, parts);
                    int prefix = parts.length();
                    values.copyTo(at, parts);
                    sink.accept(index, parts.buffer(), keyLength, prefix - keyLength, -1, parts.length() - prefix);
                }
            });
        }
    }

    /** The share of {@code keyGroup}'s entries changed since the snapshot of {@code baseVersion}; 1 when it holds none. */
    double changedShare(int baseVersion, int keyGroup) {
        int local = keyGroup - range.start();
        long changed = 0;
        long total = 0;
        for (CapturedState s : states) {
            KeyGroupTable.View view = s.maps()[local];
            total += view.size();
            changed += view.countChangedSince(baseVersion);
        }
        return total == 0 ? 1 : (double) changed / total;
    }

    /**
     * What changed since the snapshot of {@code baseVersion}. An entry that changed but is left
     * out (all of it expired) counts as removed, so that an earlier section's copy does not return.
     */
    KeyGroupChanges changesSince(int baseVersion) {
        return new KeyGroupChanges() {
            @Override
            public void readChanged(int keyGroup, StateEntrySink sink) throws IOException {
                readChangedSince(baseVersion, keyGroup, sink);
            }

            @Override
            public void readRemoved(int keyGroup, RemovalSink sink) throws IOException {
                ByteArrayDataOutput parts = new ByteArrayDataOutput();
                int local = keyGroup - range.start();
                for (int i = 0; i < states.size(); i++) {
                    CapturedState s = states.get(i);
                    int index = i;
                    KeyGroupTable.View view = s.maps()[local];
                    view.forEachRemovedSince(baseVersion, key -> removed(index, s, key, parts, sink));
                    if (s.filter() != null) {
                        view.forEachChangedSince(baseVersion, (key, stored) -> {
                            if (HeapState.filter(s.kind(), stored, s.filter(), version) == null) {
                                removed(index, s, key, parts, sink);
                            }
                        });
                    }
                }
            }
        };
    }

    private void removed(int index, CapturedState s, Object tableKey, ByteArrayDataOutput parts, KeyGroupChanges.RemovalSink sink) throws IOException {
        int keyLength = serializeKey(s, tableKey, parts);
        byte[] bytes = java.util.Arrays.copyOf(parts.buffer(), parts.length());
        sink.removed(index, java.util.Arrays.copyOf(bytes, keyLength), java.util.Arrays.copyOfRange(bytes, keyLength, bytes.length));
    }

    /** Writes the key, then the namespace, of a table key into {@code parts}; returns the key's length. */
    private int serializeKey(CapturedState s, Object tableKey, ByteArrayDataOutput parts) throws IOException {
        NamespacedKey nk = tableKey instanceof NamespacedKey k ? k : null;
        parts.truncate(0);
        keySerializer.serialize(nk != null ? nk.key() : tableKey, parts);
        int keyLength = parts.length();
        s.namespaceSerializer().serialize(nk != null ? nk.namespace() : VoidNamespace.INSTANCE, parts);
        return keyLength;
    }

    private void write(int index, CapturedState s, Object tableKey, Object value, ByteArrayDataOutput parts, StateEntrySink sink) throws IOException {
        int keyLength = serializeKey(s, tableKey, parts);
        int prefix = parts.length();
        int namespaceLength = prefix - keyLength;
        switch (s.kind()) {
            case VALUE -> {
                HeapState.serializeValue(s.valueSerializer(), value, parts);
                sink.accept(index, parts.buffer(), keyLength, namespaceLength, -1, parts.length() - prefix);
            }
            case LIST -> {
                for (Object element : (List<?>) value) {
                    parts.truncate(prefix);
                    HeapState.serializeValue(s.valueSerializer(), element, parts);
                    sink.accept(index, parts.buffer(), keyLength, namespaceLength, -1, parts.length() - prefix);
                }
            }
            case MAP -> {
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    parts.truncate(prefix);
                    s.mapKeySerializer().serialize(entry.getKey(), parts);
                    int mapKeyLength = parts.length() - prefix;
                    HeapState.serializeValue(s.valueSerializer(), entry.getValue(), parts);
                    sink.accept(index, parts.buffer(), keyLength, namespaceLength, mapKeyLength, parts.length() - prefix - mapKeyLength);
                }
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            versions.releaseSnapshot(version);
        }
    }
}
