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
        VersionedMap m = (VersionedMap) read();
        if (m == null) {
            return null;
        }
        Object value = m.get(key);
        if (value == null || !versions().shared(m.version) || !HeapState.mutable(value)) {
            return (UV) value;
        }
        // the task may change the value in place while a snapshot writes it: the map and its values become the task's own
        return (UV) mutableUserMap(false).get(key);
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
        if (versions().shared(m.version) && m.values().stream().anyMatch(HeapState::mutable)) {
            m = mutableUserMap(false);
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
            if (versions().shared(m.version)) {
                // a snapshot may write these values while the task changes them in place
                m = new VersionedMap(versions().current(), m);
                m.replaceAll((k, v) -> state.ownCopy(v));
            } else if (m.exposed) {
                m = new VersionedMap(versions().current(), m);
            }
            table.put(key, m, versions()); // also for a map changed in place: the entry's version records the change
        }
        return m;
    }
}
