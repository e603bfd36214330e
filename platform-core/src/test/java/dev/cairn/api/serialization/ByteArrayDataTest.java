package dev.cairn.api.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The lock-free data output and input write and read exactly what the JDK's streams do. */
class ByteArrayDataTest {

    private static void writeEverything(DataOutput out) throws IOException {
        out.write(7);
        out.write(new byte[] {1, 2, 3});
        out.writeBoolean(true);
        out.writeByte(-5);
        out.writeShort(-12345);
        out.writeChar('é');
        out.writeInt(Integer.MIN_VALUE + 17);
        out.writeLong(-1234567890123456789L);
        out.writeFloat(3.25f);
        out.writeDouble(-0.1);
        out.writeBytes("ab");
        out.writeChars("cd");
        out.writeUTF("grüße");
    }

    @Test
    void writesTheBytesOfADataOutputStreamAndReadsThemBack() throws IOException {
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        writeEverything(new DataOutputStream(expected));
        ByteArrayDataOutput parts = new ByteArrayDataOutput();
        parts.write(new byte[300]); // forces the buffer to grow
        parts.truncate(0);
        writeEverything(parts);
        assertThat(Arrays.copyOf(parts.buffer(), parts.length())).isEqualTo(expected.toByteArray());

        byte[] shifted = new byte[parts.length() + 4];
        System.arraycopy(parts.buffer(), 0, shifted, 2, parts.length());
        ByteArrayDataInput in = new ByteArrayDataInput().over(shifted, 2, parts.length());
        assertThat(in.readUnsignedByte()).isEqualTo(7);
        byte[] three = new byte[3];
        in.readFully(three);
        assertThat(three).containsExactly(1, 2, 3);
        assertThat(in.readBoolean()).isTrue();
        assertThat(in.readByte()).isEqualTo((byte) -5);
        assertThat(in.readShort()).isEqualTo((short) -12345);
        assertThat(in.readChar()).isEqualTo('é');
        assertThat(in.readInt()).isEqualTo(Integer.MIN_VALUE + 17);
        assertThat(in.readLong()).isEqualTo(-1234567890123456789L);
        assertThat(in.readFloat()).isEqualTo(3.25f);
        assertThat(in.readDouble()).isEqualTo(-0.1);
        assertThat(in.skipBytes(2)).isEqualTo(2);
        assertThat(in.readChar()).isEqualTo('c');
        assertThat(in.readChar()).isEqualTo('d');
        assertThat(in.readUTF()).isEqualTo("grüße");
        assertThatThrownBy(in::readByte).isInstanceOf(EOFException.class); // the range ends before the array does
    }

    @Test
    void stringsAreDecodedWhereTheirBytesLieAndALengthPastTheRangeIsRefused() throws IOException {
        ByteArrayDataOutput parts = new ByteArrayDataOutput();
        Serializers.STRING.serialize("grüße, 世界", parts);
        Serializers.STRING.serialize("next", parts);
        byte[] bytes = Arrays.copyOf(parts.buffer(), parts.length());
        ByteArrayDataInput in = new ByteArrayDataInput().over(bytes, 0, bytes.length);
        assertThat(Serializers.STRING.deserialize(in)).isEqualTo("grüße, 世界");
        assertThat(Serializers.STRING.deserialize(in)).isEqualTo("next");

        ByteArrayDataInput cut = new ByteArrayDataInput().over(bytes, 0, bytes.length - 2); // the second string's last bytes are outside the range
        Serializers.STRING.deserialize(cut);
        assertThatThrownBy(() -> Serializers.STRING.deserialize(cut)).isInstanceOf(EOFException.class);

        byte[] negative = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, 'a', 'b'};
        ByteArrayDataInput claims = new ByteArrayDataInput().over(negative, 0, negative.length);
        assertThatThrownBy(() -> Serializers.STRING.deserialize(claims)).isInstanceOf(EOFException.class);
        assertThat(claims.position()).isEqualTo(4); // nothing skipped backwards
    }

    @Test
    void linesEndAtCarriageReturnsAsInADataInputStream() throws IOException {
        byte[] text = "one\rtwo\r\nthree\nfour".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        ByteArrayDataInput in = new ByteArrayDataInput().over(text, 0, text.length);
        @SuppressWarnings("deprecation")
        java.io.DataInputStream jdk = new java.io.DataInputStream(new java.io.ByteArrayInputStream(text));
        for (int i = 0; i < 5; i++) {
            @SuppressWarnings("deprecation")
            String expected = jdk.readLine();
            assertThat(in.readLine()).isEqualTo(expected);
        }
    }

    @Test
    void aReadIntoTooSmallAnArrayMovesNothing() throws IOException {
        byte[] bytes = {1, 2, 3, 4};
        ByteArrayDataInput in = new ByteArrayDataInput().over(bytes, 0, bytes.length);
        assertThatThrownBy(() -> in.readFully(new byte[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(in.position()).isZero();
        assertThat(in.readInt()).isEqualTo(0x01020304);
    }
}
