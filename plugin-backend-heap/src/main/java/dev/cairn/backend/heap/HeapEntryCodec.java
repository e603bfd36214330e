package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.snapshot.CanonicalEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The bytes of heap state. A key-group section is a sequence of states, each a sequence of
 * entries; booleans mark "one more follows", so a writer that filters (TTL) needs no counts.
 * <pre>
 * section := (true stateName entries)* false
 * entries := (true key namespace? value)* false
 * value   := VALUE: v | LIST: count element* | MAP: count (mapKey v)*
 * </pre>
 */
final class HeapEntryCodec {
    private HeapEntryCodec() {
    }

    static void writeEntry(DataOutput out, HeapState s, TypeSerializer<Object> keySerializer, Object tableKey, Object value)
            throws IOException {
        out.writeBoolean(true);
        if (tableKey instanceof NamespacedKey nk) {
            keySerializer.serialize(nk.key(), out);
            s.namespaceSerializer.serialize(nk.namespace(), out);
        } else {
            keySerializer.serialize(tableKey, out);
        }
        switch (s.kind) {
            case VALUE -> s.valueSerializer.serialize(value, out);
            case LIST -> {
                List<?> list = (List<?>) value;
                out.writeInt(list.size());
                for (Object e : list) {
                    s.valueSerializer.serialize(e, out);
                }
            }
            case MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                out.writeInt(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    s.mapKeySerializer.serialize(e.getKey(), out);
                    s.valueSerializer.serialize(e.getValue(), out);
                }
            }
        }
    }

    /** Reads one entry (after its marker) into {@code table}. */
    static void readEntry(DataInput in, HeapState s, TypeSerializer<Object> keySerializer, Map<Object, Object> table,
                          int version) throws IOException {
        Object key = keySerializer.deserialize(in);
        Object tableKey = s.voidNamespace() ? key : new NamespacedKey(key, s.namespaceSerializer.deserialize(in));
        Object value = switch (s.kind) {
            case VALUE -> s.valueSerializer.deserialize(in);
            case LIST -> {
                int n = in.readInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(s.valueSerializer.deserialize(in));
                }
                yield new VersionedList(version, list);
            }
            case MAP -> {
                int n = in.readInt();
                Map<Object, Object> map = new HashMap<>(Math.max(4, n * 2));
                for (int i = 0; i < n; i++) {
                    map.put(s.mapKeySerializer.deserialize(in), s.valueSerializer.deserialize(in));
                }
                yield new VersionedMap(version, map);
            }
        };
        // two old subtasks never own the same key group, but a snapshot may list a group twice after merges:
        // lists and maps merge, values keep the last
        Object previous = table.get(tableKey);
        if (previous instanceof VersionedList pl) {
            pl.addAll((List<?>) value);
        } else if (previous instanceof VersionedMap pm) {
            pm.putAll((Map<?, ?>) value);
        } else {
            table.put(tableKey, value);
        }
    }

    static void toCanonical(HeapState s, int keyGroup, Object tableKey, Object value, TypeSerializer<?> keySerializer,
                            Consumer<CanonicalEntry> sink) throws IOException {
        @SuppressWarnings("unchecked")
        TypeSerializer<Object> ks = (TypeSerializer<Object>) keySerializer;
        Object key = tableKey instanceof NamespacedKey nk ? nk.key() : tableKey;
        Object ns = tableKey instanceof NamespacedKey nk ? nk.namespace() : dev.cairn.api.serialization.VoidNamespace.INSTANCE;
        byte[] k = bytes(ks, key);
        byte[] n = bytes(s.namespaceSerializer, ns);
        switch (s.kind) {
            case VALUE -> sink.accept(new CanonicalEntry(s.name, keyGroup, k, n, null, bytes(s.valueSerializer, value)));
            case LIST -> {
                for (Object e : (List<?>) value) {
                    sink.accept(new CanonicalEntry(s.name, keyGroup, k, n, null, bytes(s.valueSerializer, e)));
                }
            }
            case MAP -> {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    sink.accept(new CanonicalEntry(s.name, keyGroup, k, n, bytes(s.mapKeySerializer, e.getKey()),
                            bytes(s.valueSerializer, e.getValue())));
                }
            }
        }
    }

    static byte[] bytes(TypeSerializer<Object> serializer, Object value) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32);
        try (DataOutputStream out = new DataOutputStream(b)) {
            serializer.serialize(value, out);
        }
        return b.toByteArray();
    }
}
