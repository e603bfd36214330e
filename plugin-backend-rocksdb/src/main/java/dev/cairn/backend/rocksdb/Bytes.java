package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte layouts of RocksDB state. A row key is {@code [key group: 2 bytes][varint n][key: n]
 * [varint m][namespace: m]} followed, for map state, by the serialized user key; the lengths make
 * the prefix of one key and namespace unambiguous, and the leading key group keeps each key
 * group contiguous and in order. A list value is its elements, each {@code [varint n][element: n]},
 * so that appending is a plain byte merge.
 */
final class Bytes {
    private Bytes() {
    }

    static <T> byte[] serialize(TypeSerializer<T> serializer, T value) {
        ReusableOutput output = OUTPUT.get();
        if (output.busy) {
            output = new ReusableOutput(); // a serializer that serializes through this class again
        }
        output.busy = true;
        try {
            serializer.serialize(value, output.data);
            return output.data.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            output.release();
        }
    }

    /**
     * One lock-free output per thread: serializing a key or value allocates only its bytes (a
     * {@code DataOutputStream} over a {@code ByteArrayOutputStream} took a lock per write).
     */
    private static final class ReusableOutput {
        ByteArrayDataOutput data = new ByteArrayDataOutput(64);
        boolean busy;

        void release() {
            if (data.buffer().length > 64 * 1024) {
                data = new ByteArrayDataOutput(64); // keeps no large value alive between calls
            } else {
                data.truncate(0);
            }
            busy = false;
        }
    }

    private static final ThreadLocal<ReusableOutput> OUTPUT = ThreadLocal.withInitial(ReusableOutput::new);

    /**
     * One input per thread that is pointed at new bytes: reading a value allocates no stream (a
     * {@code DataInputStream} alone allocates two 80-element buffers, and took a lock per read),
     * which in map iteration and list reads was most of the garbage per value.
     */
    private static final class ReusableInput {
        final ByteArrayDataInput data = new ByteArrayDataInput();
        boolean busy;
    }

    private static final byte[] EMPTY = new byte[0];
    private static final ThreadLocal<ReusableInput> INPUT = ThreadLocal.withInitial(ReusableInput::new);

    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes, int offset, int length) {
        ReusableInput input = INPUT.get();
        if (input.busy) {
            input = new ReusableInput(); // a serializer that deserializes through this class again
        }
        input.busy = true;
        try {
            // a length past the array (a damaged list element) reads what is there, then fails as a short value
            return serializer.deserialize(input.data.over(bytes, offset, Math.min(length, bytes.length - offset)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            input.data.over(EMPTY, 0, 0); // keeps no value alive between calls
            input.busy = false;
        }
    }

    /** The elements of a list value, each deserialized in place. */
    static <T> List<T> deserializeElements(TypeSerializer<T> serializer, byte[] value) {
        List<T> elements = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < value.length) {
            int n = readVarInt(value, pos);
            elements.add(deserialize(serializer, value, pos[0], n));
            pos[0] += n;
        }
        return elements;
    }

    static <T> T deserialize(TypeSerializer<T> serializer, byte[] bytes) {
        return deserialize(serializer, bytes, 0, bytes.length);
    }

    static int varIntSize(int n) {
        int size = 1;
        while ((n & ~0x7F) != 0) {
            n >>>= 7;
            size++;
        }
        return size;
    }

    static int writeVarInt(byte[] into, int pos, int n) {
        while ((n & ~0x7F) != 0) {
            into[pos++] = (byte) ((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        into[pos++] = (byte) n;
        return pos;
    }

    /** Reads a varint at {@code pos[0]}, advancing it. */
    static int readVarInt(byte[] from, int[] pos) {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = from[pos[0]++];
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return n;
            }
        }
    }

    /** {@code [key group][varint][key]}: the part of a row key fixed by the current key. */
    static byte[] keyPart(int keyGroup, byte[] key) {
        byte[] out = new byte[2 + varIntSize(key.length) + key.length];
        out[0] = (byte) (keyGroup >>> 8);
        out[1] = (byte) keyGroup;
        int pos = writeVarInt(out, 2, key.length);
        System.arraycopy(key, 0, out, pos, key.length);
        return out;
    }

    /** {@code keyPart} followed by {@code [varint][namespace]}. */
    static byte[] rowPrefix(byte[] keyPart, byte[] namespace) {
        byte[] out = new byte[keyPart.length + varIntSize(namespace.length) + namespace.length];
        System.arraycopy(keyPart, 0, out, 0, keyPart.length);
        int pos = writeVarInt(out, keyPart.length, namespace.length);
        System.arraycopy(namespace, 0, out, pos, namespace.length);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int keyGroupOf(byte[] rowKey) {
        return ((rowKey[0] & 0xFF) << 8) | (rowKey[1] & 0xFF);
    }

    static byte[] keyGroupPrefix(int keyGroup) {
        return new byte[] {(byte) (keyGroup >>> 8), (byte) keyGroup};
    }

    /** The smallest byte string greater than every string starting with {@code prefix}, or null if none. */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** The parts of a row key. */
    record Row(int keyGroup, byte[] key, byte[] namespace, byte[] userKey) {
        static Row parse(byte[] rowKey) {
            int[] pos = {2};
            int n = readVarInt(rowKey, pos);
            byte[] key = Arrays.copyOfRange(rowKey, pos[0], pos[0] + n);
            pos[0] += n;
            int m = readVarInt(rowKey, pos);
            byte[] ns = Arrays.copyOfRange(rowKey, pos[0], pos[0] + m);
            pos[0] += m;
            return new Row(keyGroupOf(rowKey), key, ns, Arrays.copyOfRange(rowKey, pos[0], rowKey.length));
        }
    }

    /** One list element as stored: {@code [varint n][element]}. */
    static byte[] listElement(byte[] element) {
        byte[] out = new byte[varIntSize(element.length) + element.length];
        int pos = writeVarInt(out, 0, element.length);
        System.arraycopy(element, 0, out, pos, element.length);
        return out;
    }

    static List<byte[]> listElements(byte[] value) {
        List<byte[]> elements = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < value.length) {
            int n = readVarInt(value, pos);
            elements.add(Arrays.copyOfRange(value, pos[0], pos[0] + n));
            pos[0] += n;
        }
        return elements;
    }

    static byte[] joinElements(List<byte[]> elements) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : elements) {
            out.writeBytes(listElement(e));
        }
        return out.toByteArray();
    }
}
