package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of the log. A section (one key group's changes from one upload) is
 * {@code [n][state name]×n} followed by records {@code [op][state][key][namespace]} and the op's
 * operands, each byte string as {@code [length][bytes]} in the state's own serializers' form and
 * every count and length a varint. Replaying a section in order gives the key group the state
 * its records were made against.
 */
final class ChangeRecords {
    static final byte VALUE_PUT = 1;
    static final byte CLEAR = 2;
    static final byte LIST_ADD = 3;
    static final byte LIST_ADD_ALL = 4;
    static final byte LIST_UPDATE = 5;
    static final byte MAP_PUT = 6;
    static final byte MAP_REMOVE = 7;

    private ChangeRecords() {
    }

    static void writeVarInt(ByteArrayDataOutput out, int n) {
        while ((n & ~0x7F) != 0) {
            out.write((n & 0x7F) | 0x80);
            n >>>= 7;
        }
        out.write(n);
    }

    static int readVarInt(ByteArrayDataInput in) throws IOException {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            n |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return n;
            }
        }
        throw new IOException("A varint longer than five bytes: the log section is damaged");
    }

    static void writeBytes(ByteArrayDataOutput out, byte[] bytes, int offset, int length) {
        writeVarInt(out, length);
        out.write(bytes, offset, length);
    }

    static byte[] readBytes(ByteArrayDataInput in) throws IOException {
        int n = readVarInt(in);
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    static void writeHeader(ByteArrayDataOutput out, List<String> stateNames) throws IOException {
        writeVarInt(out, stateNames.size());
        for (String name : stateNames) {
            out.writeUTF(name);
        }
    }

    static List<String> readHeader(ByteArrayDataInput in) throws IOException {
        int n = readVarInt(in);
        List<String> names = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            names.add(in.readUTF());
        }
        return names;
    }

    /** One record as read back: the operands the op has (others null). */
    record Change(byte op, int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value, List<byte[]> elements) {
        static Change read(ByteArrayDataInput in) throws IOException {
            byte op = in.readByte();
            int state = readVarInt(in);
            byte[] key = readBytes(in);
            byte[] namespace = readBytes(in);
            return switch (op) {
                case VALUE_PUT, LIST_ADD -> new Change(op, state, key, namespace, null, readBytes(in), null);
                case CLEAR -> new Change(op, state, key, namespace, null, null, null);
                case LIST_ADD_ALL, LIST_UPDATE -> {
                    int n = readVarInt(in);
                    List<byte[]> elements = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        elements.add(readBytes(in));
                    }
                    yield new Change(op, state, key, namespace, null, null, elements);
                }
                case MAP_PUT -> new Change(op, state, key, namespace, readBytes(in), readBytes(in), null);
                case MAP_REMOVE -> new Change(op, state, key, namespace, readBytes(in), null, null);
                default -> throw new IOException("Unknown change record type " + op + ": the log section is damaged or from a newer version");
            };
        }
    }
}
