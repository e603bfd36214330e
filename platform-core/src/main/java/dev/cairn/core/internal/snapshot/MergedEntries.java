package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.snapshot.StateEntrySink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One key group's entries gathered from its sections so that deltas can apply: per state, per
 * key and namespace, the entries it holds. A delta removes keys and namespaces, then replaces
 * each one it changed with its new entries.
 */
final class MergedEntries implements StateEntrySink {

    /** A state's key and namespace bytes, compared by content. */
    private static final class Id {
        final byte[] keyAndNamespace;
        final int keyLength;
        private final int hash;

        Id(byte[] parts, int keyLength, int namespaceLength) {
            this.keyAndNamespace = Arrays.copyOf(parts, keyLength + namespaceLength);
            this.keyLength = keyLength;
            this.hash = 31 * Arrays.hashCode(keyAndNamespace) + keyLength;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Id id && id.keyLength == keyLength && Arrays.equals(id.keyAndNamespace, keyAndNamespace);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** One entry's parts, back to back as {@link StateEntrySink} takes them. */
    private record Entry(byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) {
    }

    private final Map<Integer, Map<Id, List<Entry>>> byState = new TreeMap<>();

    @Override
    public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
        accept(state, StateEntrySink.joined(key, namespace, mapKey, value), key.length, namespace.length, mapKey == null ? -1 : mapKey.length,
                value.length);
    }

    @Override
    public void accept(int state, byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) {
        int length = keyLength + namespaceLength + Math.max(mapKeyLength, 0) + valueLength;
        Entry entry = new Entry(Arrays.copyOf(parts, length), keyLength, namespaceLength, mapKeyLength, valueLength);
        byState.computeIfAbsent(state, s -> new LinkedHashMap<>())
                .computeIfAbsent(new Id(parts, keyLength, namespaceLength), id -> new ArrayList<>()).add(entry);
    }

    void remove(int state, byte[] key, byte[] namespace) {
        Map<Id, List<Entry>> ids = byState.get(state);
        if (ids != null) {
            byte[] parts = new byte[key.length + namespace.length];
            System.arraycopy(key, 0, parts, 0, key.length);
            System.arraycopy(namespace, 0, parts, key.length, namespace.length);
            ids.remove(new Id(parts, key.length, namespace.length));
        }
    }

    /** Each key and namespace {@code changed} holds replaces what this held for it. */
    void replaceWith(MergedEntries changed) {
        changed.byState.forEach((state, ids) -> byState.computeIfAbsent(state, s -> new LinkedHashMap<>()).putAll(ids));
    }

    void emit(StateEntrySink sink) throws java.io.IOException {
        for (Map.Entry<Integer, Map<Id, List<Entry>>> state : byState.entrySet()) {
            for (List<Entry> entries : state.getValue().values()) {
                for (Entry e : entries) {
                    sink.accept(state.getKey(), e.parts(), e.keyLength(), e.namespaceLength(), e.mapKeyLength(), e.valueLength());
                }
            }
        }
    }
}
