package dev.cairn.backend.heap;

import java.util.ArrayList;
import java.util.Collection;

/** A list-state value that remembers the version it was created at (for copy-on-write). */
final class VersionedList extends ArrayList<Object> {
    final int version;

    VersionedList(int version, Collection<?> elements) {
        super(elements);
        this.version = version;
    }
}
