package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import java.util.Arrays;

/**
 * One table's restored keys, and where their values lie, in the order they came; its arrays
 * serve one key group after another. The values stay in the one section they came from, or,
 * once some came from elsewhere (a copy, another section), all go into copies.
 */
final class SerializedBatch {
    private final String state;
    private final TypeSerializer<Object> serializer;
    long[] keys = new long[64];
    int[] at = new int[64];
    int count;
    /** The section every value so far lies in; null when there is none or they are copied. */
    private byte[] section;
    private SerializedValues copies;

    SerializedBatch(String state, TypeSerializer<Object> serializer) {
        this.state = state;
        this.serializer = serializer;
    }

    void start() {
        count = 0;
        section = null;
        copies = null;
    }

    void add(long key, byte[] bytes, boolean kept, int valueOffset, int valueLength) {
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, count * 2);
            at = Arrays.copyOf(at, count * 2);
        }
        int where = kept && copies == null && (section == null || section == bytes)
                ? SerializedValues.lengthBefore(bytes, valueOffset, valueLength) : -1;
        if (where >= 0) {
            section = bytes;
        } else {
            where = copied().append(bytes, valueOffset, valueLength);
        }
        keys[count] = key;
        at[count++] = where;
    }

    /** The copies, with the values kept in the section so far copied in first. */
    private SerializedValues copied() {
        if (copies == null) {
            copies = new SerializedValues(state, serializer);
            for (int j = 0; j < count; j++) {
                at[j] = copies.appendKept(section, at[j]);
            }
            section = null;
        }
        return copies;
    }

    SerializedValues values() {
        return copies != null ? copies : SerializedValues.in(state, serializer, section);
    }
}
