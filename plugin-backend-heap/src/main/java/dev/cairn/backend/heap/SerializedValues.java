package dev.cairn.backend.heap;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The restored values of one table still in the snapshot's bytes, each after its length (a
 * varint): the section the restore read, kept as it is while these values are most of it, or
 * copies back to back. A restore that
 * built an object per value spent most of its time in the collector copying those objects out of
 * the young generation; the table instead keeps the bytes and builds a value each time the task
 * reads one, until it writes one. Only values whose serializer is stateless are kept so, since
 * snapshot threads read them too.
 */
final class SerializedValues {

    /** What a table slot holds while its value is still here. */
    static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "a value not yet deserialized";
        }
    };

    private final String state;
    private final TypeSerializer<Object> serializer;
    /** What wrote the bytes: a snapshot may write them as they are only under the same. */
    private final SerializerSnapshotRef writtenAs;
    private byte[] bytes;
    /** How much of {@link #bytes} is filled; -1: a kept section, which is never written. */
    private int length;

    /** Values to be copied in by {@link #append}, about {@code capacity} bytes of them. */
    SerializedValues(String state, TypeSerializer<Object> serializer, SerializerSnapshotRef writtenAs, int capacity) {
        this(state, serializer, writtenAs, new byte[Math.max(capacity, 64)], 0);
    }

    /** Values where they lie in {@code section}, which nothing changes any more. */
    static SerializedValues in(String state, TypeSerializer<Object> serializer, SerializerSnapshotRef writtenAs, byte[] section) {
        return new SerializedValues(state, serializer, writtenAs, section, -1);
    }

    private SerializedValues(String state, TypeSerializer<Object> serializer, SerializerSnapshotRef writtenAs, byte[] bytes, int length) {
        if (!serializer.isStateless()) {
            throw new IllegalArgumentException("Values of state '" + state + "' are read on several threads, but "
                    + serializer.describe() + " is not stateless");
        }
        this.state = state;
        this.serializer = serializer;
        this.writtenAs = writtenAs;
        this.bytes = bytes;
        this.length = length;
    }

    /** Whether the bytes are what {@code serializer} writes, so that a snapshot under it may copy them. */
    boolean writtenAs(SerializerSnapshotRef serializer) {
        return writtenAs.equals(serializer);
    }

    /** Drops the room left for more copies, when it is more than a quarter. */
    void trim() {
        if (length >= 0 && length < bytes.length - (bytes.length >>> 2)) {
            bytes = Arrays.copyOf(bytes, length);
        }
    }

    /** Whether the value at {@code valueOffset} of {@code source} follows its length as these values keep it; where it then starts. */
    static int lengthBefore(byte[] source, int valueOffset, int valueLength) {
        int at = valueOffset - varintSize(valueLength);
        return at >= 0 && length(source, at) == valueLength ? at : -1;
    }

    /** Appends the value at {@code at} of {@code source}, kept as these values keep it; returns where it now lies. */
    int appendKept(byte[] source, int at) {
        int valueLength = length(source, at);
        return append(source, at + varintSize(valueLength), valueLength);
    }

    /** Appends a value's bytes; returns where it lies. Only while the table is restored: no snapshot reads it yet. */
    int append(byte[] source, int offset, int valueLength) {
        if (length < 0) {
            throw new IllegalStateException("values kept in a section take no more");
        }
        int at = length;
        int needed = at + 5 + valueLength;
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, needed));
        }
        for (int v = valueLength; ; v >>>= 7) {
            if ((v & ~0x7F) == 0) {
                bytes[length++] = (byte) v;
                break;
            }
            bytes[length++] = (byte) ((v & 0x7F) | 0x80);
        }
        System.arraycopy(source, offset, bytes, length, valueLength);
        length += valueLength;
        return at;
    }

    /** A new object of the value at {@code at}; any thread may call this once the restore has ended. */
    Object read(int at) {
        int valueLength = length(bytes, at);
        int position = at + varintSize(valueLength);
        try {
            return serializer.deserialize(new ByteArrayDataInput().over(bytes, position, valueLength));
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException(new IOException("Could not read a restored value of state '" + state + "' with "
                    + serializer.describe() + ": " + e.getMessage(), e));
        }
    }

    /** Appends the bytes of the value at {@code at} to {@code out}, as its serializer wrote them. */
    void copyTo(int at, java.io.OutputStream out) throws IOException {
        int valueLength = length(bytes, at);
        out.write(bytes, at + varintSize(valueLength), valueLength);
    }

    private static int length(byte[] bytes, int at) {
        int valueLength = 0;
        for (int shift = 0, position = at; shift < 35 && position < bytes.length; shift += 7) {
            byte b = bytes[position++];
            valueLength |= (b & 0x7F) << shift;
            if (b >= 0) {
                return valueLength;
            }
        }
        return -1;
    }

    private static int varintSize(int value) {
        return value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;
    }
}
