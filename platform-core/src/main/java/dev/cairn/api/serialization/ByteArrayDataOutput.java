package dev.cairn.api.serialization;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A data output into a growing byte array that is reused from one value to the next: unlike a
 * {@code DataOutputStream} over a {@code ByteArrayOutputStream} it takes no lock per write and
 * allocates nothing per value (at a million entries both were most of a snapshot's time). Not
 * safe for use by several threads at once.
 */
public final class ByteArrayDataOutput extends OutputStream implements DataOutput {

    private byte[] buffer;
    private int length;
    private DataOutputStream utf; // writeUTF only, which the built-in serializers do not use

    public ByteArrayDataOutput() {
        this(256);
    }

    public ByteArrayDataOutput(int initialCapacity) {
        buffer = new byte[Math.max(1, initialCapacity)];
    }

    /** The array written to: its first {@link #length()} bytes are what was written. Valid until the next write. */
    public byte[] buffer() {
        return buffer;
    }

    public int length() {
        return length;
    }

    /** Drops everything after the first {@code keep} bytes. */
    public void truncate(int keep) {
        if (keep < 0 || keep > length) {
            throw new IllegalArgumentException("cannot keep " + keep + " of " + length + " bytes");
        }
        length = keep;
    }

    /** A copy of what was written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, length);
    }

    @Override
    public void write(int b) {
        ensure(1);
        buffer[length++] = (byte) b;
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buffer, length, len);
        length += len;
    }

    @Override
    public void writeBoolean(boolean v) {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) {
        write(v);
    }

    @Override
    public void writeShort(int v) {
        ensure(2);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    @Override
    public void writeChar(int v) {
        writeShort(v);
    }

    @Override
    public void writeInt(int v) {
        ensure(4);
        buffer[length++] = (byte) (v >>> 24);
        buffer[length++] = (byte) (v >>> 16);
        buffer[length++] = (byte) (v >>> 8);
        buffer[length++] = (byte) v;
    }

    @Override
    public void writeLong(long v) {
        writeInt((int) (v >>> 32));
        writeInt((int) v);
    }

    @Override
    public void writeFloat(float v) {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            write(s.charAt(i));
        }
    }

    @Override
    public void writeChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            writeChar(s.charAt(i));
        }
    }

    @Override
    public void writeUTF(String s) throws IOException {
        if (utf == null) {
            utf = new DataOutputStream(this);
        }
        utf.writeUTF(s);
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }
}
