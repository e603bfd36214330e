package dev.cairn.backend.heap;

import java.util.ArrayList;
import java.util.Collection;

/** A list-state value that remembers the version it was created at (for copy-on-write). */
final class VersionedList extends ArrayList<Object> {
    final int version;
    /** Handed to a reader as a view: the next change copies it, so the reader's view stays as it was. */
    boolean exposed;

    VersionedList(int version, Collection<?> elements) {
        super(elements);
        this.version = version;
    }
}
