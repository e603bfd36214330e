package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.InternalKvState;
import dev.cairn.spi.backend.InternalListState;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.InternalValueState;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The restored log's changes, by state, waiting to be applied to the wrapped backend: each when
 * its state is registered (so a migrated state reads old records with the serializers that wrote
 * them and keeps them with its new ones), the rest before the first snapshot.
 */
final class ChangeReplay {
    private final Map<String, List<ChangeRecords.Change>> byState = new HashMap<>();
    private final Map<String, StateMetaInfo> metas;

    /** Reads and checks every section now: a damaged one fails the restore, naming its file. */
    /** Where a section's bytes come from: a local copy or the snapshot's storage, checked either way. */
    interface Sections {
        List<byte[]> read(List<KeyGroupSection> sections) throws IOException;
    }

    ChangeReplay(List<KeyGroupSection> sections, Sections reader, Map<String, StateMetaInfo> metas) throws IOException {
        this.metas = metas;
        ByteArrayDataInput in = new ByteArrayDataInput();
        List<byte[]> contents = reader.read(sections);
        for (int i = 0; i < sections.size(); i++) {
            KeyGroupSection section = sections.get(i);
            byte[] bytes = contents.get(i);
            in.over(bytes, 0, bytes.length);
            List<String> names = ChangeRecords.readHeader(in);
            while (in.position() < bytes.length) {
                ChangeRecords.Change c = ChangeRecords.Change.read(in);
                if (c.state() >= names.size()) {
                    throw new IOException("A change in " + section.path() + " (key group " + section.keyGroup() + ") names state "
                            + c.state() + " of " + names.size() + ": the log section is damaged");
                }
                byState.computeIfAbsent(names.get(c.state()), n -> new ArrayList<>()).add(c);
            }
        }
    }

    /** States with changes not applied yet. */
    List<String> pending() {
        return List.copyOf(byState.keySet());
    }

    /** The schema the log's records of {@code state} were written with. */
    StateMetaInfo meta(String state) {
        return metas.get(state);
    }

    /** Applies the changes of {@code name} to {@code state} of {@code backend}, once; the backend's current key is kept. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <K> void apply(String name, InternalKvState<?> state, KeyedStateBackend<K> backend, TypeSerializer<K> keySerializer,
                   ClassLoader... loaders) throws IOException {
        List<ChangeRecords.Change> changes = byState.remove(name);
        if (changes == null) {
            return;
        }
        changes = lastWhereEachReplaces(changes);
        StateMetaInfo meta = metas.get(name);
        if (meta == null) {
            throw new IOException("The restored log has changes of state '" + name + "' but no schema for it");
        }
        TypeSerializer<Object> ns = (TypeSerializer<Object>) meta.namespaceSerializer().restoreSerializer(name, "", loaders);
        TypeSerializer<Object> value = (TypeSerializer<Object>) meta.valueSerializer().restoreSerializer(name, "", loaders);
        TypeSerializer<Object> mapKey = meta.mapKeySerializer() == null ? null
                : (TypeSerializer<Object>) meta.mapKeySerializer().restoreSerializer(name, "", loaders);
        K previousKey = backend.getCurrentKey();
        ByteArrayDataInput in = new ByteArrayDataInput();
        InternalKvState raw = state;
        for (ChangeRecords.Change c : changes) {
            backend.setCurrentKey(keySerializer.deserialize(in.over(c.key(), 0, c.key().length)));
            raw.setCurrentNamespace(ns.deserialize(in.over(c.namespace(), 0, c.namespace().length)));
            switch (c.op()) {
                case ChangeRecords.VALUE_PUT -> ((InternalValueState) raw).put(read(value, c.value(), in));
                case ChangeRecords.CLEAR -> raw.clear();
                case ChangeRecords.LIST_ADD -> ((InternalListState) raw).add(read(value, c.value(), in));
                case ChangeRecords.LIST_ADD_ALL -> ((InternalListState) raw).addAll(readAll(value, c.elements(), in));
                case ChangeRecords.LIST_UPDATE -> ((InternalListState) raw).update(readAll(value, c.elements(), in));
                case ChangeRecords.MAP_PUT -> ((InternalMapState) raw).put(read(mapKey, c.mapKey(), in), read(value, c.value(), in));
                case ChangeRecords.MAP_REMOVE -> ((InternalMapState) raw).remove(read(mapKey, c.mapKey(), in));
                default -> throw new IOException("Unknown change record type " + c.op());
            }
        }
        if (previousKey != null) {
            backend.setCurrentKey(previousKey);
        }
    }

    /** A key and namespace of a state, compared by content. */
    private record Target(byte[] key, byte[] namespace) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Target t && Arrays.equals(key, t.key) && Arrays.equals(namespace, t.namespace);
        }

        /** FNV-1a over both: serialized numeric keys differ in few bytes, which Arrays.hashCode maps onto few values. */
        @Override
        public int hashCode() {
            long h = 0xcbf29ce484222325L;
            for (byte b : key) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
            for (byte b : namespace) {
                h = (h ^ (b & 0xff)) * 0x100000001b3L;
            }
            return (int) (h ^ (h >>> 32));
        }
    }

    /**
     * When every change of a state replaces what its key and namespace held (puts and clears: a
     * value state's log), only the last per key and namespace is applied; the others would be
     * overwritten anyway. A log of appends and map entries is applied whole, in order.
     */
    static List<ChangeRecords.Change> lastWhereEachReplaces(List<ChangeRecords.Change> changes) {
        for (ChangeRecords.Change c : changes) {
            if (c.op() != ChangeRecords.VALUE_PUT && c.op() != ChangeRecords.CLEAR) {
                return changes;
            }
        }
        Set<Target> seen = new HashSet<>();
        List<ChangeRecords.Change> last = new ArrayList<>();
        for (int i = changes.size() - 1; i >= 0; i--) {
            ChangeRecords.Change c = changes.get(i);
            if (seen.add(new Target(c.key(), c.namespace()))) {
                last.add(c);
            }
        }
        Collections.reverse(last);
        return last;
    }

    private static Object read(TypeSerializer<Object> serializer, byte[] bytes, ByteArrayDataInput in) throws IOException {
        return serializer.deserialize(in.over(bytes, 0, bytes.length));
    }

    private static List<Object> readAll(TypeSerializer<Object> serializer, List<byte[]> elements, ByteArrayDataInput in) throws IOException {
        List<Object> out = new ArrayList<>(elements.size());
        for (byte[] e : elements) {
            out.add(read(serializer, e, in));
        }
        return out;
    }
}
