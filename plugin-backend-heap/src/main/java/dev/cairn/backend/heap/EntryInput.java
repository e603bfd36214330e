package dev.cairn.backend.heap;

import dev.cairn.api.serialization.ByteArrayDataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A data input over one part of an entry after another, pointed at a range of a byte array.
 * Unlike a {@code DataInputStream} over a {@code ByteArrayInputStream} it takes no lock per read
 * (a {@code readInt} alone took four) and is not rebuilt per value, and serializers may read bulk
 * bytes in place.
 */
final class EntryInput implements ByteArrayDataInput {

    private byte[] bytes = new byte[0];
    private int position;
    private int limit;

    /** Reads {@code bytes[offset, offset + length)} next. */
    EntryInput over(byte[] source, int offset, int length) {
        bytes = source;
        position = offset;
        limit = offset + length;
        return this;
    }

    private int next(int count) throws EOFException {
        if (count < 0) {
            throw new EOFException("a value claims " + count + " bytes");
        }
        if (limit - position < count) {
            throw new EOFException("a value's bytes end " + (count - (limit - position)) + " bytes early");
        }
        int at = position;
        position += count;
        return at;
    }

    @Override
    public byte[] array() {
        return bytes;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public void advance(int count) throws EOFException {
        next(count);
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        System.arraycopy(bytes, next(len), b, off, len);
    }

    @Override
    public int skipBytes(int n) {
        int skipped = Math.max(0, Math.min(n, limit - position));
        position += skipped;
        return skipped;
    }

    @Override
    public boolean readBoolean() throws IOException {
        return bytes[next(1)] != 0;
    }

    @Override
    public byte readByte() throws IOException {
        return bytes[next(1)];
    }

    @Override
    public int readUnsignedByte() throws IOException {
        return bytes[next(1)] & 0xFF;
    }

    @Override
    public short readShort() throws IOException {
        int at = next(2);
        return (short) ((bytes[at] << 8) | (bytes[at + 1] & 0xFF));
    }

    @Override
    public int readUnsignedShort() throws IOException {
        return readShort() & 0xFFFF;
    }

    @Override
    public char readChar() throws IOException {
        return (char) readShort();
    }

    @Override
    public int readInt() throws IOException {
        int at = next(4);
        return (bytes[at] << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    @Override
    public long readLong() throws IOException {
        return ((long) readInt() << 32) | (readInt() & 0xFFFFFFFFL);
    }

    @Override
    public float readFloat() throws IOException {
        return Float.intBitsToFloat(readInt());
    }

    @Override
    public double readDouble() throws IOException {
        return Double.longBitsToDouble(readLong());
    }

    @Override
    public String readLine() {
        if (position >= limit) {
            return null;
        }
        StringBuilder line = new StringBuilder();
        while (position < limit) {
            char c = (char) (bytes[position++] & 0xFF);
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.append(c);
            }
        }
        return line.toString();
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
