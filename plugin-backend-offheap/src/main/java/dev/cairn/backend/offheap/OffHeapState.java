package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One registered state: a {@link KeyGroupStore} per key group and the serializers its bytes are written with. */
final class OffHeapState {
    final String name;
    final StateKind kind;
    final KeyGroupStore[] stores;
    StateMetaInfo meta;
    TypeSerializer<Object> namespaceSerializer;
    TypeSerializer<Object> valueSerializer;
    TypeSerializer<Object> mapKeySerializer;
    ElementFilter snapshotFilter;
    ElementFilter cleanupFilter;
    /** Registered by the job in this run (not only known from a restored snapshot). */
    boolean registered;
    private int cleanupKeyGroup = -1;
    private List<byte[]> cleanupRows = List.of();
    private int cleanupPosition;

    OffHeapState(String name, StateKind kind, KeyGroupRange range, Path directory, int index, boolean logChanges) {
        this.name = name;
        this.kind = kind;
        this.stores = new KeyGroupStore[range.size()];
        for (int i = 0; i < stores.length; i++) {
            stores[i] = new KeyGroupStore(directory, "s" + index + "-kg" + i, "state '" + name + "', key group " + (range.start() + i),
                    logChanges);
        }
    }

    @SuppressWarnings("unchecked")
    void useSerializers(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
        this.meta = meta;
        this.namespaceSerializer = (TypeSerializer<Object>) ns;
        this.valueSerializer = (TypeSerializer<Object>) value;
        this.mapKeySerializer = (TypeSerializer<Object>) mapKey;
    }

    boolean voidNamespace() {
        return namespaceSerializer == (Object) Serializers.VOID_NAMESPACE;
    }

    /**
     * What of a stored row {@code filter} keeps: the same bytes, fewer list elements, or
     * {@code null} when nothing is left. A map's user-key rows are not filtered (their entries are).
     */
    static byte[] filter(StateKind kind, TypeSerializer<?> valueSerializer, byte[] row, byte[] value, ElementFilter filter) {
        if (filter == null || (kind == StateKind.MAP && isMapIndex(Rows.parse(row)))) {
            return value;
        }
        if (kind != StateKind.LIST) {
            return filter.keep(Rows.deserialize(valueSerializer, value)) ? value : null;
        }
        List<byte[]> elements = Rows.elements(value);
        List<byte[]> kept = new ArrayList<>(elements.size());
        for (byte[] e : elements) {
            if (filter.keep(Rows.deserialize(valueSerializer, e))) {
                kept.add(e);
            }
        }
        if (kept.size() == elements.size()) {
            return value;
        }
        return kept.isEmpty() ? null : Rows.join(kept);
    }

    /** Whether {@code row} is a map's list of user keys rather than an entry. */
    static boolean isMapIndex(Rows.Parsed parsed) {
        return parsed.marker() == Rows.MAP_INDEX;
    }

    /** Checks up to {@code entries} rows against the cleanup filter, going on where the last call stopped. */
    void cleanupSome(int entries) {
        if (cleanupFilter == null) {
            return;
        }
        for (int checked = 0; checked < entries; checked++) {
            if (cleanupPosition >= cleanupRows.size()) {
                cleanupKeyGroup = (cleanupKeyGroup + 1) % stores.length;
                List<byte[]> rows = new ArrayList<>();
                stores[cleanupKeyGroup].forEach((row, value) -> rows.add(row));
                cleanupRows = rows;
                cleanupPosition = 0;
                continue; // an empty key group counts, so an empty state ends the loop
            }
            byte[] row = cleanupRows.get(cleanupPosition++);
            Rows.Parsed parsed = Rows.parse(row);
            if (kind == StateKind.MAP && isMapIndex(parsed)) {
                continue;
            }
            KeyGroupStore store = stores[cleanupKeyGroup];
            byte[] value = store.get(row);
            if (value == null) {
                continue;
            }
            byte[] kept = filter(kind, valueSerializer, row, value, cleanupFilter);
            if (kept != value) {
                if (kept != null) {
                    store.put(row, kept);
                } else if (kind == StateKind.MAP) {
                    OffHeapMapState.removeEntry(store, row, parsed);
                } else {
                    store.remove(row);
                }
            }
        }
    }

    void close() {
        for (KeyGroupStore s : stores) {
            s.close();
        }
    }
}
