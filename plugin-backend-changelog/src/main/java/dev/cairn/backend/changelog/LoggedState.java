package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.InternalKvState;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A wrapped backend's state that also logs each change: the write goes to the wrapped state, then
 * a record of it to the subtask's log under the current key's key group. Reads go straight
 * through. Used by the task thread only.
 */
abstract class LoggedState<N, S extends InternalKvState<N>> implements InternalKvState<N> {
    private static final byte[] VARINT_ROOM = new byte[5];
    final S inner;
    private final LogWriter writer;
    private final int index;
    private final TypeSerializer<N> namespaceSerializer;
    private N namespace;
    private byte[] namespaceBytes;

    /** What a state needs of its backend to log a record. */
    interface LogWriter {
        /** Starts a record of {@code op} on {@code state} for the current key and {@code namespace}; returns the buffer to append operands to. */
        ByteArrayDataOutput begin(byte op, int state, byte[] namespace);

        /** The record begun last is complete. */
        void end();
    }

    LoggedState(S inner, LogWriter writer, int index, TypeSerializer<N> namespaceSerializer) {
        this.inner = inner;
        this.writer = writer;
        this.index = index;
        this.namespaceSerializer = namespaceSerializer;
    }

    @Override
    public void setCurrentNamespace(N ns) {
        inner.setCurrentNamespace(ns);
        if (namespaceBytes == null || !ns.equals(namespace)) {
            namespace = ns;
            namespaceBytes = serialize(namespaceSerializer, ns);
        }
    }

    @Override
    public void clear() {
        inner.clear();
        log(ChangeRecords.CLEAR);
        writer.end();
    }

    @Override
    public void cleanupSome(int entries) {
        // what the wrapped backend cleans up expired: the log's records of it are filtered again after a restore
        inner.cleanupSome(entries);
    }

    /** Begins a record of {@code op} for the current key and namespace. */
    final ByteArrayDataOutput log(byte op) {
        if (namespaceBytes == null) {
            throw new IllegalStateException("State accessed without a namespace");
        }
        return writer.begin(op, index, namespaceBytes);
    }

    final void end() {
        writer.end();
    }

    /** Appends {@code value} as {@code [length][bytes]}. */
    static <T> void operand(ByteArrayDataOutput out, TypeSerializer<T> serializer, T value) {
        int lengthAt = out.length();
        out.write(VARINT_ROOM, 0, VARINT_ROOM.length); // room for the longest length, compacted below
        int start = out.length();
        try {
            serializer.serialize(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int length = out.length() - start;
        byte[] buffer = out.buffer();
        int pos = lengthAt;
        for (int n = length; ; n >>>= 7) {
            if ((n & ~0x7F) == 0) {
                buffer[pos++] = (byte) n;
                break;
            }
            buffer[pos++] = (byte) ((n & 0x7F) | 0x80);
        }
        System.arraycopy(buffer, start, buffer, pos, length);
        out.truncate(pos + length);
    }

    static <T> byte[] serialize(TypeSerializer<T> serializer, T value) {
        ByteArrayDataOutput out = new ByteArrayDataOutput(32);
        try {
            serializer.serialize(value, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
