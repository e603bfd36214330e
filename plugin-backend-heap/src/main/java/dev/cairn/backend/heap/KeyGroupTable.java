package dev.cairn.backend.heap;

import java.util.HashMap;

/** The entries of one state in one key group, and the version its map was created at. */
final class KeyGroupTable {
    HashMap<Object, Object> map = new HashMap<>();
    int version;

    KeyGroupTable(int version) {
        this.version = version;
    }

    /** The map to change, copied first if a running snapshot still reads the current one. */
    HashMap<Object, Object> writable(CopyOnWriteVersions versions) {
        if (versions.shared(version)) {
            map = new HashMap<>(map);
            version = versions.current();
        }
        return map;
    }
}
