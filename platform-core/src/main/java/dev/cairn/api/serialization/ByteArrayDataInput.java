package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A data input over a range of a byte array, pointed at one value after another. Unlike a
 * {@code DataInputStream} over a {@code ByteArrayInputStream} it takes no lock per read (a
 * {@code readInt} alone took four) and is not rebuilt per value, and a serializer may take bulk
 * bytes where they lie ({@link #array()}, {@link #position()}, {@link #advance(int)}): a
 * {@code String} is decoded straight from the array. A serializer must not keep the array. Not
 * safe for use by several threads at once.
 */
public final class ByteArrayDataInput implements DataInput {

    private byte[] bytes = new byte[0];
    private int position;
    private int limit;

    /** Reads {@code bytes[offset, offset + length)} next. */
    public ByteArrayDataInput over(byte[] source, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, source.length);
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

    /** The array the next bytes are read from. */
    public byte[] array() {
        return bytes;
    }

    /** The index in {@link #array()} of the next byte. */
    public int position() {
        return position;
    }

    /**
     * Moves past {@code count} bytes the caller took from {@link #array()} itself.
     *
     * @throws EOFException when {@code count} is negative or fewer bytes remain (nothing is skipped then)
     */
    public void advance(int count) throws EOFException {
        next(count);
    }

    @Override
    public void readFully(byte[] b) throws IOException {
        readFully(b, 0, b.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length); // before the position moves
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
            if (c == '\r') { // ends the line, as in DataInputStream, taking a '\n' right after it along
                if (position < limit && bytes[position] == '\n') {
                    position++;
                }
                break;
            }
            line.append(c);
        }
        return line.toString();
    }

    @Override
    public String readUTF() throws IOException {
        return DataInputStream.readUTF(this);
    }
}
