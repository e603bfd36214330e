package dev.cairn.core.internal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.spi.snapshot.InPlaceEntrySink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Entries read back as they were framed, in place from sections nothing changes and as copies otherwise. */
class SectionParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] section() {
        SectionBuilder builder = new SectionBuilder(16);
        builder.accept(0, b("k1"), b(""), null, b("value one"));
        builder.accept(0, b("k2"), b("ns"), null, b("value two"));
        builder.accept(1, b("k3"), b(""), b("mk"), b("v3"));
        builder.finish();
        return builder.framed();
    }

    private static final List<String> FRAMED = List.of("0 k1  - value one", "0 k2 ns - value two", "1 k3  mk v3");

    /** Records what it is handed, and how. */
    private static final class Recorder implements InPlaceEntrySink {
        final List<String> entries = new ArrayList<>();
        int inPlace;
        int copied;

        @Override
        public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
            copied++;
            entries.add(state + " " + new String(key, StandardCharsets.UTF_8) + " " + new String(namespace, StandardCharsets.UTF_8) + " "
                    + (mapKey == null ? "-" : new String(mapKey, StandardCharsets.UTF_8)) + " " + new String(value, StandardCharsets.UTF_8));
        }

        @Override
        public void acceptInPlace(int state, byte[] section, int keyOffset, int keyLength, int namespaceOffset, int namespaceLength,
                                  int mapKeyOffset, int mapKeyLength, int valueOffset, int valueLength) {
            inPlace++;
            entries.add(state + " " + new String(section, keyOffset, keyLength, StandardCharsets.UTF_8) + " "
                    + new String(section, namespaceOffset, namespaceLength, StandardCharsets.UTF_8) + " "
                    + (mapKeyOffset < 0 ? "-" : new String(section, mapKeyOffset, mapKeyLength, StandardCharsets.UTF_8)) + " "
                    + new String(section, valueOffset, valueLength, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aKeptSectionIsHandedInPlaceAndAnyOtherAsCopies() throws IOException {
        Recorder inPlace = new Recorder();
        SectionParser.parse(section(), true, new int[] {0, 1}, inPlace);
        assertThat(inPlace.entries).isEqualTo(FRAMED);
        assertThat(inPlace.inPlace).isEqualTo(3);

        Recorder copied = new Recorder();
        SectionParser.parse(section(), false, new int[] {0, 1}, copied);
        assertThat(copied.entries).isEqualTo(FRAMED);
        assertThat(copied.copied).isEqualTo(3);
        assertThat(copied.inPlace).isZero();
    }

    @Test
    void aDamagedSectionIsRejectedEitherWay() {
        byte[] whole = section();
        byte[] cut = Arrays.copyOf(whole, whole.length - 4);
        for (boolean kept : new boolean[] {true, false}) {
            assertThatThrownBy(() -> SectionParser.parse(cut, kept, new int[] {0, 1}, new Recorder())).isInstanceOf(IOException.class)
                    .hasMessageMatching(".*(runs past the end|ends inside an entry).*");
        }
        // the first entry's map-key length made a varint that decodes below -1
        byte[] badMapKey = whole.clone();
        int at = 1 + 1 + 2 + 1; // state, key length, key, namespace length
        byte[] malformed = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        byte[] spliced = new byte[badMapKey.length + malformed.length - 1];
        System.arraycopy(badMapKey, 0, spliced, 0, at);
        System.arraycopy(malformed, 0, spliced, at, malformed.length);
        System.arraycopy(badMapKey, at + 1, spliced, at + malformed.length, badMapKey.length - at - 1);
        for (boolean kept : new boolean[] {true, false}) {
            assertThatThrownBy(() -> SectionParser.parse(spliced, kept, new int[] {0, 1}, new Recorder())).isInstanceOf(IOException.class)
                    .hasMessageContaining("malformed map key length");
        }
    }
}
