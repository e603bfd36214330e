package dev.cairn.core.internal.task;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.catalog.InFlightHandle;
import dev.cairn.core.internal.catalog.InvalidSnapshotException;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.backend.SnapshotOutput;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * How records in flight are kept in an unaligned checkpoint: per record the job graph input it
 * came in on (a keyed input's records are routed again by key on a rescaled restore), its
 * timestamp and its value, class and object by Kryo (records have no declared serializer).
 */
final class InFlightRecords {

    private static final int MAGIC = 0x43494631; // "CIF1"
    static final String FILE = "in-flight.bin";

    /** A record read back: {@code input} indexes the operator's inputs in the job graph. */
    record Restored(int input, Object value, long timestamp, boolean hasTimestamp) {
    }

    private final TypeSerializer<Object> values;

    InFlightRecords(TypeSerializer<Object> values) {
        this.values = values;
    }

    static void writeHeader(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
    }

    void write(StreamElement.Record r, int input, DataOutput out) throws IOException {
        out.writeByte(input);
        out.writeBoolean(r.hasTimestamp());
        out.writeLong(r.timestamp());
        values.serialize(r.value(), out);
    }

    /** Stores {@code bytes} (a header and {@code count} records) as the subtask's in-flight file; {@code null} for none. */
    static InFlightHandle store(byte[] bytes, int length, long count, SnapshotStreams streams) throws IOException {
        if (count == 0) {
            return null;
        }
        try (SnapshotOutput file = streams.createOwned(FILE)) {
            file.write(bytes, 0, length);
            return new InFlightHandle(file.closeAndGetRef(), count);
        }
    }

    /** The records of {@code handle}, in the order they were queued; the file's checksum is verified by the reader. */
    List<Restored> read(InFlightHandle handle, SnapshotReader reader) throws IOException {
        return decode(reader.readFile(handle.file()), handle.records(), handle.file().path());
    }

    /** @param source the file's path, for messages */
    List<Restored> decode(byte[] bytes, long count, String source) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        List<Restored> records = new ArrayList<>();
        try {
            if (in.readInt() != MAGIC) {
                throw new InvalidSnapshotException(source + " is not a file of records in flight");
            }
            for (long i = 0; i < count; i++) {
                int input = in.readUnsignedByte();
                boolean hasTimestamp = in.readBoolean();
                long timestamp = in.readLong();
                records.add(new Restored(input, values.deserialize(in), timestamp, hasTimestamp));
            }
        } catch (EOFException e) {
            throw new InvalidSnapshotException(source + " ends after " + records.size() + " of its " + count + " records in flight", e);
        }
        return records;
    }
}
