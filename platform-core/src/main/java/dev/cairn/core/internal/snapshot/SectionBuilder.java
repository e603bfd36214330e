package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.snapshot.StateEntrySink;
import java.util.Arrays;

/**
 * Frames the entries of one key group into the bytes of a section, before its format encodes
 * them. This framing is the one key-group layout every backend and format shares:
 * <pre>
 * section := (varint(state + 1) entry* 0)* 0
 * entry   := varint(|key| + 1) key  varint(|namespace|) namespace
 *            varint(|mapKey| + 1) mapKey, or 0 when there is none  varint(|value|) value
 * </pre>
 * The entries of one state come together; a writer that filters (TTL) needs no counts. A delta
 * section ({@link dev.cairn.spi.snapshot.KeyGroupChanges}) is its removals, framed by a builder
 * of their own, followed by a section of its changed entries:
 * <pre>
 * delta   := (varint(state + 1) removal* 0)* 0  section
 * removal := varint(|key| + 1) key  varint(|namespace|) namespace
 * </pre>
 */
final class SectionBuilder implements StateEntrySink {

    private byte[] buffer;
    private int length;
    private int openState = -1;
    private boolean any;

    SectionBuilder(int initialCapacity) {
        buffer = new byte[initialCapacity];
    }

    void reset() {
        length = 0;
        openState = -1;
        any = false;
    }

    boolean isEmpty() {
        return !any;
    }

    /** A removed key and namespace of a delta's removals. */
    void removed(int state, byte[] key, byte[] namespace) {
        openState(state);
        writeVarint(key.length + 1);
        write(key);
        writeVarint(namespace.length);
        write(namespace);
    }

    @Override
    public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
        openState(state);
        writeVarint(key.length + 1);
        write(key);
        writeVarint(namespace.length);
        write(namespace);
        if (mapKey == null) {
            writeVarint(0);
        } else {
            writeVarint(mapKey.length + 1);
            write(mapKey);
        }
        writeVarint(value.length);
        write(value);
    }

    @Override
    public void accept(int state, byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) {
        openState(state);
        writeVarint(keyLength + 1);
        write(parts, 0, keyLength);
        writeVarint(namespaceLength);
        write(parts, keyLength, namespaceLength);
        int offset = keyLength + namespaceLength;
        if (mapKeyLength < 0) {
            writeVarint(0);
        } else {
            writeVarint(mapKeyLength + 1);
            write(parts, offset, mapKeyLength);
            offset += mapKeyLength;
        }
        writeVarint(valueLength);
        write(parts, offset, valueLength);
    }

    private void openState(int state) {
        if (state != openState) {
            if (openState >= 0) {
                writeVarint(0);
            }
            writeVarint(state + 1);
            openState = state;
        }
        any = true;
    }

    /** Ends the section; the framed bytes are {@code buffer()[0, length())}. */
    void finish() {
        if (openState >= 0) {
            writeVarint(0);
        }
        writeVarint(0);
        openState = -1;
    }

    /** A copy of the framed bytes. */
    byte[] framed() {
        return Arrays.copyOf(buffer, length);
    }

    byte[] buffer() {
        return buffer;
    }

    int length() {
        return length;
    }

    private void write(byte[] bytes) {
        write(bytes, 0, bytes.length);
    }

    private void write(byte[] bytes, int offset, int count) {
        ensure(count);
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
    }

    private void writeVarint(int v) {
        ensure(5);
        while ((v & ~0x7F) != 0) {
            buffer[length++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buffer[length++] = (byte) v;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
