package dev.cairn.backend.heap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A restore's values stay in the section they came from, and go into copies once some came from elsewhere. */
class SerializedBatchTest {

    @SuppressWarnings("unchecked")
    private static final TypeSerializer<Object> STRING = (TypeSerializer<Object>) (Object) Serializers.STRING;

    /** A section of {@code values}, each after a key of 8 bytes and its length as a varint, as the kernel frames entries. */
    private record Section(byte[] bytes, int[] valueOffsets, int[] valueLengths) {
        static Section of(String... values) throws Exception {
            ByteArrayDataOutput out = new ByteArrayDataOutput();
            int[] offsets = new int[values.length];
            int[] lengths = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                out.writeLong(i);
                ByteArrayDataOutput value = new ByteArrayDataOutput();
                STRING.serialize(values[i], value);
                out.write(value.length()); // one byte is the varint of a short value
                offsets[i] = out.length();
                lengths[i] = value.length();
                out.write(value.buffer(), 0, value.length());
            }
            return new Section(java.util.Arrays.copyOf(out.buffer(), out.length()), offsets, lengths);
        }
    }

    private static List<Object> read(SerializedBatch batch) {
        SerializedValues values = batch.values();
        List<Object> read = new ArrayList<>();
        for (int j = 0; j < batch.count; j++) {
            read.add(values.read(batch.at[j]));
        }
        return read;
    }

    private static final String LONG_A = "a".repeat(40);
    private static final String LONG_B = "b".repeat(40);

    @Test
    void valuesFromOneKeptSectionStayInIt() throws Exception {
        Section section = Section.of(LONG_A, LONG_B);
        SerializedBatch batch = new SerializedBatch("s", STRING, SerializerSnapshotRef.of(STRING));
        batch.start();
        for (int i = 0; i < 2; i++) {
            batch.add(i, section.bytes(), true, section.valueOffsets()[i], section.valueLengths()[i]);
        }
        assertThat(read(batch)).containsExactly(LONG_A, LONG_B);
        assertThat(batch.at[0]).as("where the first value's length lies in the section").isEqualTo(section.valueOffsets()[0] - 1);
    }

    /** Short values behind long keys: the section would pin more than twice their bytes. */
    @Test
    void valuesThatAreLittleOfTheirSectionAreCopied() throws Exception {
        Section section = Section.of("a", "bb", "ccc");
        SerializedBatch batch = new SerializedBatch("s", STRING, SerializerSnapshotRef.of(STRING));
        batch.start();
        for (int i = 0; i < 3; i++) {
            batch.add(i, section.bytes(), true, section.valueOffsets()[i], section.valueLengths()[i]);
        }
        SerializedValues values = batch.values();
        java.util.Arrays.fill(section.bytes(), (byte) 0);
        List<Object> read = new ArrayList<>();
        for (int j = 0; j < batch.count; j++) {
            read.add(values.read(batch.at[j]));
        }
        assertThat(read).containsExactly("a", "bb", "ccc");
    }

    @Test
    void valuesFromASecondSectionOrACopyMoveAllIntoCopies() throws Exception {
        Section first = Section.of(LONG_A, LONG_B);
        Section second = Section.of("x".repeat(40), "y".repeat(40));
        SerializedBatch batch = new SerializedBatch("s", STRING, SerializerSnapshotRef.of(STRING));
        batch.start();
        batch.add(0, first.bytes(), true, first.valueOffsets()[0], first.valueLengths()[0]);
        batch.add(1, first.bytes(), true, first.valueOffsets()[1], first.valueLengths()[1]);
        batch.add(2, second.bytes(), true, second.valueOffsets()[1], second.valueLengths()[1]);
        byte[] reused = second.bytes().clone();
        batch.add(3, reused, false, second.valueOffsets()[0], second.valueLengths()[0]);
        java.util.Arrays.fill(reused, (byte) 0); // a buffer handed without being kept is reused by its owner
        java.util.Arrays.fill(first.bytes(), (byte) 0); // and neither is the first section read any more
        assertThat(read(batch)).containsExactly(LONG_A, LONG_B, "y".repeat(40), "x".repeat(40));

        batch.start(); // the next key group starts afresh
        batch.add(0, second.bytes(), true, second.valueOffsets()[0], second.valueLengths()[0]);
        batch.add(1, second.bytes(), true, second.valueOffsets()[1], second.valueLengths()[1]);
        assertThat(read(batch)).containsExactly("x".repeat(40), "y".repeat(40));
        assertThat(batch.at[0]).isEqualTo(second.valueOffsets()[0] - 1);
    }
}
