package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte layouts of off-heap state. A row key is {@code [varint k][key: k][varint n][namespace: n]};
 * a map state adds {@code [1][user key]} for an entry and {@code [0]} for the row listing the user
 * keys of that key and namespace (a hash map cannot seek to a prefix). A list value and a map's
 * user-key row hold elements {@code [varint n][element: n]}, back to back.
 */
final class Rows {
    static final byte MAP_INDEX = 0;
    static final byte MAP_ENTRY = 1;

    private Rows() {
    }

    static byte[] prefix(byte[] key, byte[] namespace) {
        byte[] row = new byte[varintLength(key.length) + key.length + varintLength(namespace.length) + namespace.length];
        int at = putVarint(row, 0, key.length);
        System.arraycopy(key, 0, row, at, key.length);
        at = putVarint(row, at + key.length, namespace.length);
        System.arraycopy(namespace, 0, row, at, namespace.length);
        return row;
    }

    static byte[] mapEntry(byte[] prefix, byte[] userKey) {
        byte[] row = Arrays.copyOf(prefix, prefix.length + 1 + userKey.length);
        row[prefix.length] = MAP_ENTRY;
        System.arraycopy(userKey, 0, row, prefix.length + 1, userKey.length);
        return row;
    }

    static byte[] mapIndex(byte[] prefix) {
        byte[] row = Arrays.copyOf(prefix, prefix.length + 1);
        row[prefix.length] = MAP_INDEX;
        return row;
    }

    /** Where the parts of a row key lie. {@code marker} is -1 for value and list rows. */
    record Parsed(int keyStart, int keyLength, int namespaceStart, int namespaceLength, int marker) {
        int prefixLength() {
            return namespaceStart + namespaceLength;
        }

        int userKeyStart() {
            return prefixLength() + 1;
        }

        byte[] key(byte[] row) {
            return Arrays.copyOfRange(row, keyStart, keyStart + keyLength);
        }

        byte[] namespace(byte[] row) {
            return Arrays.copyOfRange(row, namespaceStart, namespaceStart + namespaceLength);
        }

        byte[] userKey(byte[] row) {
            return Arrays.copyOfRange(row, userKeyStart(), row.length);
        }
    }

    static Parsed parse(byte[] row) {
        long k = readVarint(row, 0);
        int keyStart = (int) (k >>> 32);
        int keyLength = (int) k;
        long n = readVarint(row, keyStart + keyLength);
        int namespaceStart = (int) (n >>> 32);
        int namespaceLength = (int) n;
        int end = namespaceStart + namespaceLength;
        return new Parsed(keyStart, keyLength, namespaceStart, namespaceLength, end < row.length ? row[end] : -1);
    }

    // ---- elements

    static byte[] append(byte[] elements, byte[] element) {
        int header = varintLength(element.length);
        int start = elements == null ? 0 : elements.length;
        byte[] joined = elements == null ? new byte[header + element.length] : Arrays.copyOf(elements, start + header + element.length);
        System.arraycopy(element, 0, joined, putVarint(joined, start, element.length), element.length);
        return joined;
    }

    static byte[] join(List<byte[]> elements) {
        int length = 0;
        for (byte[] e : elements) {
            length += varintLength(e.length) + e.length;
        }
        byte[] joined = new byte[length];
        int at = 0;
        for (byte[] e : elements) {
            at = putVarint(joined, at, e.length);
            System.arraycopy(e, 0, joined, at, e.length);
            at += e.length;
        }
        return joined;
    }

    static List<byte[]> elements(byte[] joined) {
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < joined.length; ) {
            long e = readVarint(joined, at);
            int start = (int) (e >>> 32);
            out.add(Arrays.copyOfRange(joined, start, start + (int) e));
            at = start + (int) e;
        }
        return out;
    }

    /** The elements without the first one equal to {@code element}; the same array when there is none. */
    static byte[] without(byte[] joined, byte[] element) {
        for (int at = 0; at < joined.length; ) {
            long e = readVarint(joined, at);
            int start = (int) (e >>> 32);
            int end = start + (int) e;
            if (Arrays.equals(joined, start, end, element, 0, element.length)) {
                byte[] rest = new byte[joined.length - (end - at)];
                System.arraycopy(joined, 0, rest, 0, at);
                System.arraycopy(joined, end, rest, at, joined.length - end);
                return rest;
            }
            at = end;
        }
        return joined;
    }

    // ---- varints: [start << 32 | value] so that one call returns both

    private static long readVarint(byte[] bytes, int at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            if (at >= bytes.length || shift > 28) {
                throw new IllegalStateException("Damaged off-heap row: a length runs past its " + bytes.length + " bytes");
            }
            byte b = bytes[at++];
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                if (value < 0 || at + value > bytes.length) {
                    throw new IllegalStateException("Damaged off-heap row: a length of " + value + " runs past its " + bytes.length + " bytes");
                }
                return ((long) at << 32) | value;
            }
        }
    }

    private static int putVarint(byte[] bytes, int at, int value) {
        while ((value & ~0x7F) != 0) {
            bytes[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[at++] = (byte) value;
        return at;
    }

    private static int varintLength(int value) {
        int n = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    // ---- serializers, through one output and one input per thread (a serializer that comes back here gets fresh ones)

    private static final class Buffers {
        ByteArrayDataOutput output = new ByteArrayDataOutput(64);
        final ByteArrayDataInput input = new ByteArrayDataInput();
        boolean writing;
        boolean reading;
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    @SuppressWarnings("unchecked")
    static byte[] serialize(TypeSerializer<?> serializer, Object value) {
        Buffers buffers = BUFFERS.get();
        boolean reuse = !buffers.writing;
        ByteArrayDataOutput out = reuse ? buffers.output : new ByteArrayDataOutput(64);
        buffers.writing = true;
        try {
            ((TypeSerializer<Object>) serializer).serialize(value, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (reuse) {
                buffers.writing = false;
                if (out.buffer().length > 64 * 1024) {
                    buffers.output = new ByteArrayDataOutput(64); // keeps no large value alive between calls
                } else {
                    out.truncate(0);
                }
            }
        }
    }

    static Object deserialize(TypeSerializer<?> serializer, byte[] bytes) {
        return deserialize(serializer, bytes, 0, bytes.length);
    }

    static Object deserialize(TypeSerializer<?> serializer, byte[] bytes, int offset, int length) {
        Buffers buffers = BUFFERS.get();
        boolean reuse = !buffers.reading;
        ByteArrayDataInput in = reuse ? buffers.input : new ByteArrayDataInput();
        buffers.reading = true;
        try {
            return serializer.deserialize(in.over(bytes, offset, length));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (reuse) {
                buffers.reading = false;
            }
        }
    }
}
