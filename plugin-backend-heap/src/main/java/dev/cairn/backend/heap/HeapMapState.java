package dev.cairn.backend.heap;

import dev.cairn.spi.backend.InternalMapState;
import java.util.Map;

final class HeapMapState<N, UK, UV> extends HeapStateAccess<N> implements InternalMapState<N, UK, UV> {
    HeapMapState(HeapKeyedStateBackend<?> backend, HeapState state) {
        super(backend, state);
    }

    @Override
    @SuppressWarnings("unchecked")
    public UV get(UK key) {
        Map<Object, Object> m = (Map<Object, Object>) read();
        return m == null ? null : (UV) m.get(key);
    }

    @Override
    public void put(UK key, UV value) {
        if (value == null) {
            remove(key);
            return;
        }
        mutableUserMap(true).put(key, value);
    }

    @Override
    public void remove(UK key) {
        Map<?, ?> current = (Map<?, ?>) read();
        if (current == null || !current.containsKey(key)) {
            return;
        }
        VersionedMap m = mutableUserMap(false);
        m.remove(key);
        if (m.isEmpty()) {
            clear();
        }
    }

    @Override
    public boolean contains(UK key) {
        Map<?, ?> m = (Map<?, ?>) read();
        return m != null && m.containsKey(key);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map<UK, UV> entries() {
        VersionedMap m = (VersionedMap) read();
        if (m == null) {
            return Map.of();
        }
        m.exposed = true;
        return (Map<UK, UV>) java.util.Collections.unmodifiableMap(m);
    }

    /** The user map of the current key, copied first if a running snapshot may read it. */
    private VersionedMap mutableUserMap(boolean create) {
        KeyGroupTable table = writableTable();
        Object key = tableKey();
        VersionedMap m = (VersionedMap) table.get(key);
        if (m == null) {
            m = new VersionedMap(versions().current(), Map.of());
            if (create) {
                table.put(key, m, versions());
            }
        } else {
            if (m.exposed || versions().shared(m.version)) {
                m = new VersionedMap(versions().current(), m);
            }
            table.put(key, m, versions()); // also for a map changed in place: the entry's version records the change
        }
        return m;
    }
}
