package dev.cairn.backend.rocksdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;

/**
 * Row keys and values handed to RocksDB in direct buffers. For a {@code byte[]} RocksJava allocates
 * a native array and copies into it on every call, key and value each; a direct buffer it reads in
 * place, so a write costs one copy into memory reused from call to call. One per state accessor,
 * used by the task thread only, like the accessor.
 */
final class DirectRows {
    private static final int KEEP_AT_MOST = 64 * 1024;

    private ByteArrayDataOutput scratch = new ByteArrayDataOutput(64);
    private ByteBuffer key = ByteBuffer.allocateDirect(64);
    private ByteBuffer value = ByteBuffer.allocateDirect(64);

    /** The row key in the key buffer. */
    ByteBuffer key(byte[] row) {
        key = fill(key, row, 0, row.length);
        return key;
    }

    /** A map state's row key: the row prefix followed by the serialized user key. */
    <K> ByteBuffer key(byte[] prefix, TypeSerializer<K> serializer, K userKey) {
        clearScratch();
        scratch.write(prefix);
        serialize(serializer, userKey);
        key = fill(key, scratch.buffer(), 0, scratch.length());
        return key;
    }

    /** The serialized value in the value buffer. */
    <V> ByteBuffer value(TypeSerializer<V> serializer, V v) {
        clearScratch();
        serialize(serializer, v);
        value = fill(value, scratch.buffer(), 0, scratch.length());
        return value;
    }

    /** One list element as stored ({@code [varint n][element]}) in the value buffer: the operand of an append. */
    <V> ByteBuffer listElement(TypeSerializer<V> serializer, V element) {
        clearScratch();
        serialize(serializer, element);
        int n = scratch.length();
        byte[] header = new byte[Bytes.varIntSize(n)];
        Bytes.writeVarInt(header, 0, n);
        value = ensure(value, header.length + n);
        value.put(header).put(scratch.buffer(), 0, n).flip();
        return value;
    }

    private <T> void serialize(TypeSerializer<T> serializer, T v) {
        try {
            serializer.serialize(v, scratch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cleared before each use rather than after, so that a serializer's failure leaves nothing behind. */
    private void clearScratch() {
        if (scratch.buffer().length > KEEP_AT_MOST) {
            scratch = new ByteArrayDataOutput(64);
        } else {
            scratch.truncate(0);
        }
    }

    private static ByteBuffer fill(ByteBuffer buffer, byte[] bytes, int offset, int length) {
        ByteBuffer target = ensure(buffer, length);
        target.put(bytes, offset, length).flip();
        return target;
    }

    /** A cleared buffer of at least {@code length} bytes; one grown past the limit is not kept for later calls. */
    private static ByteBuffer ensure(ByteBuffer buffer, int length) {
        if (length > buffer.capacity() || (buffer.capacity() > KEEP_AT_MOST && length <= KEEP_AT_MOST)) {
            return ByteBuffer.allocateDirect(Math.max(length, 64));
        }
        return buffer.clear();
    }
}
