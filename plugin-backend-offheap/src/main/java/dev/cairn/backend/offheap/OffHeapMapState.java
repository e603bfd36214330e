package dev.cairn.backend.offheap;

import dev.cairn.spi.backend.InternalMapState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A row per user key, and one row listing the user keys of the key and namespace: a hash map
 * cannot iterate a prefix, and a point read or an update of a known user key touches one row.
 */
final class OffHeapMapState<N, UK, UV> extends OffHeapStateAccess<N> implements InternalMapState<N, UK, UV> {
    OffHeapMapState(OffHeapKeyedStateBackend<?> backend, OffHeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public UV get(UK key) {
        byte[] bytes = store().get(Rows.mapEntry(row(), Rows.serialize(state.mapKeySerializer, key)));
        return bytes == null ? null : (UV) Rows.deserialize(state.valueSerializer, bytes);
    }

    @Override
    public void put(UK key, UV value) {
        if (value == null) {
            remove(key);
            return;
        }
        byte[] prefix = row();
        byte[] userKey = Rows.serialize(state.mapKeySerializer, key);
        KeyGroupStore store = store();
        putEntry(store, prefix, userKey, Rows.serialize(state.valueSerializer, value));
    }

    /** Puts an entry, listing its user key if it is new. */
    static void putEntry(KeyGroupStore store, byte[] prefix, byte[] userKey, byte[] value) {
        byte[] entryRow = Rows.mapEntry(prefix, userKey);
        if (store.get(entryRow) == null) {
            byte[] indexRow = Rows.mapIndex(prefix);
            store.put(indexRow, Rows.append(store.get(indexRow), userKey));
        }
        store.put(entryRow, value);
    }

    @Override
    public void remove(UK key) {
        byte[] entryRow = Rows.mapEntry(row(), Rows.serialize(state.mapKeySerializer, key));
        removeEntry(store(), entryRow, Rows.parse(entryRow));
    }

    /** Removes an entry and its user key from the list, and the list once it is empty. */
    static void removeEntry(KeyGroupStore store, byte[] entryRow, Rows.Parsed parsed) {
        if (store.get(entryRow) == null) {
            return;
        }
        store.remove(entryRow);
        byte[] indexRow = java.util.Arrays.copyOf(entryRow, parsed.prefixLength() + 1);
        indexRow[parsed.prefixLength()] = Rows.MAP_INDEX;
        byte[] keys = store.get(indexRow);
        if (keys != null) {
            byte[] rest = Rows.without(keys, parsed.userKey(entryRow));
            if (rest.length == 0) {
                store.remove(indexRow);
            } else if (rest != keys) {
                store.put(indexRow, rest);
            }
        }
    }

    @Override
    public boolean contains(UK key) {
        return store().get(Rows.mapEntry(row(), Rows.serialize(state.mapKeySerializer, key))) != null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<UK, UV> entries() {
        byte[] prefix = row();
        KeyGroupStore store = store();
        byte[] keys = store.get(Rows.mapIndex(prefix));
        Map<UK, UV> result = new LinkedHashMap<>();
        if (keys != null) {
            for (byte[] userKey : Rows.elements(keys)) {
                byte[] value = store.get(Rows.mapEntry(prefix, userKey));
                if (value != null) {
                    result.put((UK) Rows.deserialize(state.mapKeySerializer, userKey), (UV) Rows.deserialize(state.valueSerializer, value));
                }
            }
        }
        return result;
    }

    @Override
    public void clear() {
        byte[] prefix = row();
        KeyGroupStore store = store();
        byte[] indexRow = Rows.mapIndex(prefix);
        byte[] keys = store.get(indexRow);
        if (keys != null) {
            for (byte[] userKey : Rows.elements(keys)) {
                store.remove(Rows.mapEntry(prefix, userKey));
            }
            store.remove(indexRow);
        }
    }
}
