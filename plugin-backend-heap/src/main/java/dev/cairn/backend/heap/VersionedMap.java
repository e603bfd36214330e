package dev.cairn.backend.heap;

import java.util.HashMap;
import java.util.Map;

/** A map-state value that remembers the version it was created at (for copy-on-write). */
final class VersionedMap extends HashMap<Object, Object> {
    final int version;

    VersionedMap(int version, Map<?, ?> entries) {
        super(entries);
        this.version = version;
    }
}
