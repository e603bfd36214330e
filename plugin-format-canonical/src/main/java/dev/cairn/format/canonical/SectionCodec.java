package dev.cairn.format.canonical;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The stored form of one canonical section, self-describing so that any later version of this
 * plugin reads it:
 * <pre>
 * section := magic "CNL" | version (1 byte) | codec (1 byte: 0 none, 1 lz4) | plain length (4 bytes) | payload
 * </pre>
 * LZ4 is the pure-Java safe implementation: no native code in the platform, and no out-of-bounds
 * access on damaged input.
 */
final class SectionCodec {

    static final int VERSION = 1;
    private static final byte[] MAGIC = {'C', 'N', 'L'};
    private static final int HEADER = MAGIC.length + 2 + 4;
    private static final byte NONE = 0;
    private static final byte LZ4 = 1;
    private static final LZ4Factory CODECS = LZ4Factory.safeInstance();

    private SectionCodec() {
    }

    static byte[] encode(byte[] plain, int length, boolean compress) {
        if (!compress) {
            return ByteBuffer.allocate(HEADER + length).put(MAGIC).put((byte) VERSION).put(NONE).putInt(length)
                    .put(plain, 0, length).array();
        }
        LZ4Compressor compressor = CODECS.fastCompressor();
        byte[] out = new byte[HEADER + compressor.maxCompressedLength(length)];
        int n = compressor.compress(plain, 0, length, out, HEADER, out.length - HEADER);
        ByteBuffer.wrap(out).put(MAGIC).put((byte) VERSION).put(LZ4).putInt(length);
        return java.util.Arrays.copyOf(out, HEADER + n);
    }

    static byte[] decode(byte[] stored) throws IOException {
        if (stored.length < HEADER || stored[0] != MAGIC[0] || stored[1] != MAGIC[1] || stored[2] != MAGIC[2]) {
            throw new IOException("not a canonical section (no 'CNL' header)");
        }
        ByteBuffer header = ByteBuffer.wrap(stored, MAGIC.length, HEADER - MAGIC.length);
        int version = header.get() & 0xFF;
        if (version > VERSION) {
            throw new IOException("written by canonical format version " + version + ", newer than this plugin reads (" + VERSION
                    + "): deploy a newer plugin-format-canonical");
        }
        byte codec = header.get();
        int plainLength = header.getInt();
        if (plainLength < 0) {
            throw new IOException("a negative section length " + plainLength);
        }
        if (codec == NONE) {
            if (stored.length - HEADER != plainLength) {
                throw new IOException("holds " + (stored.length - HEADER) + " bytes, its header says " + plainLength);
            }
            return java.util.Arrays.copyOfRange(stored, HEADER, stored.length);
        }
        if (codec != LZ4) {
            throw new IOException("an unknown compression codec #" + codec);
        }
        byte[] plain = new byte[plainLength];
        LZ4SafeDecompressor decompressor = CODECS.safeDecompressor();
        int n;
        try {
            n = decompressor.decompress(stored, HEADER, stored.length - HEADER, plain, 0, plainLength);
        } catch (RuntimeException e) {
            throw new IOException("LZ4 data that cannot be decompressed: " + e.getMessage(), e);
        }
        if (n != plainLength) {
            throw new IOException("decompresses to " + n + " bytes, its header says " + plainLength);
        }
        return plain;
    }
}
