package dev.cairn.backend.heap;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.TypeSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The restored values of one table still in the snapshot's bytes, back to back, each after its
 * length. A restore that built an object per value spent most of its time in the collector
 * copying those objects out of the young generation; the table instead keeps the bytes and
 * builds a value when the task first asks for it (or a snapshot writes it). Only values whose
 * serializer is stateless are kept so, since snapshot threads read them too.
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
    private byte[] bytes = new byte[1024];
    private int length;

    SerializedValues(String state, TypeSerializer<Object> serializer) {
        if (!serializer.isStateless()) {
            throw new IllegalArgumentException("Values of state '" + state + "' are read on several threads, but "
                    + serializer.describe() + " is not stateless");
        }
        this.state = state;
        this.serializer = serializer;
    }

    /** Appends a value's bytes; returns where it lies. Only while the table is restored: no snapshot reads it yet. */
    int append(byte[] source, int offset, int valueLength) {
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
        int valueLength = length(at);
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
        int valueLength = length(at);
        out.write(bytes, at + varintSize(valueLength), valueLength);
    }

    private int length(int at) {
        int valueLength = 0;
        for (int shift = 0, position = at; ; shift += 7) {
            byte b = bytes[position++];
            valueLength |= (b & 0x7F) << shift;
            if (b >= 0) {
                return valueLength;
            }
        }
    }

    private static int varintSize(int value) {
        return value < 1 << 7 ? 1 : value < 1 << 14 ? 2 : value < 1 << 21 ? 3 : value < 1 << 28 ? 4 : 5;
    }
}
