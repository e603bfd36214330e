package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.util.Arrays;

/**
 * One table's restored keys, and where their values lie, in the order they came; its arrays
 * serve one key group after another. The values stay in the one section they came from, or go
 * into copies once some came from elsewhere (a copy, another section), or when they are less than
 * {@value #KEPT_SHARE} of the section: a kept section stays reachable while one value in it is
 * unwritten, keys, other states' entries and all.
 */
final class SerializedBatch {
    static final double KEPT_SHARE = 0.6;

    private final String state;
    private final TypeSerializer<Object> serializer;
    private final SerializerSnapshotRef writtenAs;
    long[] keys = new long[64];
    int[] at = new int[64];
    int count;
    /** The section every value so far lies in; null when there is none or they are copied. */
    private byte[] section;
    /** The bytes the values in {@link #section} take there, their lengths included. */
    private long keptBytes;
    private SerializedValues copies;

    /** {@code writtenAs}: the serializer the values were written with, as the snapshot names it. */
    SerializedBatch(String state, TypeSerializer<Object> serializer, SerializerSnapshotRef writtenAs) {
        this.state = state;
        this.serializer = serializer;
        this.writtenAs = writtenAs;
    }

    void start() {
        count = 0;
        section = null;
        keptBytes = 0;
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
            keptBytes += valueOffset + valueLength - where;
        } else {
            where = copied().append(bytes, valueOffset, valueLength);
        }
        keys[count] = key;
        at[count++] = where;
    }

    /** The copies, with the values kept in the section so far copied in first. */
    private SerializedValues copied() {
        if (copies == null) {
            copies = new SerializedValues(state, serializer, writtenAs, (int) Math.min(keptBytes + 1024, Integer.MAX_VALUE - 16));
            for (int j = 0; j < count; j++) {
                at[j] = copies.appendKept(section, at[j]);
            }
            section = null;
        }
        return copies;
    }

    SerializedValues values() {
        if (copies == null && keptBytes < KEPT_SHARE * section.length) {
            copied();
        }
        if (copies != null) {
            copies.trim();
            return copies;
        }
        return SerializedValues.in(state, serializer, writtenAs, section);
    }
}
