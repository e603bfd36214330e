package dev.cairn.backend.heap;

import java.util.HashMap;
import java.util.Map;

/** A map-state value that remembers the version it was created at (for copy-on-write). */
final class VersionedMap extends HashMap<Object, Object> {
    final int version;
    /** Handed to a reader as a view: the next change copies it, so the reader's view stays as it was. */
    boolean exposed;

    VersionedMap(int version, Map<?, ?> entries) {
        super(entries);
        this.version = version;
    }
}
