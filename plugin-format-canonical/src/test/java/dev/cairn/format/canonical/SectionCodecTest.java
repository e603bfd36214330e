package dev.cairn.format.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SectionCodecTest {

    private static final byte[] PLAIN = "key-0 value-0 key-1 value-1 key-2 value-2 ".repeat(200).getBytes(StandardCharsets.UTF_8);

    @Test
    void lz4AndUncompressedSectionsDecodeToWhatWasEncoded() throws IOException {
        byte[] compressed = SectionCodec.encode(PLAIN, PLAIN.length, true);
        byte[] plain = SectionCodec.encode(PLAIN, PLAIN.length, false);
        assertThat(compressed.length).as("LZ4 on repetitive entries").isLessThan(PLAIN.length / 4);
        assertThat(plain.length).isGreaterThan(PLAIN.length);
        assertThat(SectionCodec.decode(compressed)).isEqualTo(PLAIN);
        assertThat(SectionCodec.decode(plain)).isEqualTo(PLAIN);
        // only the first length bytes of the buffer are a section
        assertThat(SectionCodec.decode(SectionCodec.encode(PLAIN, 10, true))).isEqualTo(Arrays.copyOf(PLAIN, 10));
    }

    @Test
    void whatIsNotACanonicalSectionIsRefusedSayingWhy() {
        byte[] section = SectionCodec.encode(PLAIN, PLAIN.length, true);
        assertThatThrownBy(() -> SectionCodec.decode("something else".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("not a canonical section");
        byte[] newer = section.clone();
        newer[3] = (byte) (SectionCodec.VERSION + 1);
        assertThatThrownBy(() -> SectionCodec.decode(newer)).hasMessageContaining("version " + (SectionCodec.VERSION + 1))
                .hasMessageContaining("newer");
        byte[] truncated = Arrays.copyOf(section, section.length - 7);
        assertThatThrownBy(() -> SectionCodec.decode(truncated)).isInstanceOf(IOException.class);
        byte[] unknownCodec = section.clone();
        unknownCodec[4] = 9;
        assertThatThrownBy(() -> SectionCodec.decode(unknownCodec)).hasMessageContaining("codec #9");
    }
}
