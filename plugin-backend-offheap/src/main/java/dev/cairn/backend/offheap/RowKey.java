package dev.cairn.backend.offheap;

import java.util.Arrays;

/** A row key as a hash-map key. */
record RowKey(byte[] bytes) {
    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
