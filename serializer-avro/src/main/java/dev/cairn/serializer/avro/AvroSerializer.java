package dev.cairn.serializer.avro;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro's binary encoding of a record, length-prefixed. Values are written with {@link #schema()};
 * a serializer restored from a snapshot reads with the schema they were written with and resolves
 * them to the schema the job has now (specific records) or keeps them in theirs (generic records,
 * converted to the new schema when next written).
 *
 * <pre>{@code
 * new ValueStateDescriptor<>("customer", AvroSerializer.forSpecific(Customer.class))
 * new ValueStateDescriptor<>("event", AvroSerializer.forGeneric(eventSchema))
 * }</pre>
 */
public final class AvroSerializer<T> implements TypeSerializer<T> {

    /** The generated class; {@code null} for generic records. */
    private final Class<T> specificClass;
    private final Schema schema;
    /** Per thread: Avro's readers cache schema resolution in fields; tasks and snapshot threads use one serializer. */
    private final ThreadLocal<DatumReader<T>> reader;
    private final ThreadLocal<DatumWriter<T>> writer;

    private AvroSerializer(Class<T> specificClass, Schema schema, Schema writtenWith) {
        this.specificClass = specificClass;
        this.schema = schema;
        if (specificClass != null) {
            // the class's own loader finds the records it refers to (a job's bundle, not Avro's), with the class's logical-type conversions
            SpecificData data = new SpecificData(specificClass.getClassLoader());
            SpecificData.getForClass(specificClass).getConversions().forEach(data::addLogicalTypeConversion);
            this.reader = ThreadLocal.withInitial(() -> new SpecificDatumReader<>(writtenWith, schema, data));
            this.writer = ThreadLocal.withInitial(() -> new SpecificDatumWriter<>(schema, data));
        } else {
            this.reader = ThreadLocal.withInitial(() -> new GenericDatumReader<>(writtenWith, schema));
            this.writer = ThreadLocal.withInitial(() -> new GenericDatumWriter<>(schema));
        }
    }

    /** Records of a class Avro generated (its schema is the class's). */
    public static <T extends SpecificRecord> AvroSerializer<T> forSpecific(Class<T> type) {
        Schema schema = SpecificData.get().getSchema(Objects.requireNonNull(type, "type"));
        return new AvroSerializer<>(type, schema, schema);
    }

    /** Generic records of {@code schema} (a record schema). */
    public static AvroSerializer<GenericRecord> forGeneric(Schema schema) {
        if (Objects.requireNonNull(schema, "schema").getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("An Avro state serializer takes a record schema, not " + schema.getType());
        }
        return new AvroSerializer<>(null, schema, schema);
    }

    /** Reads values written with {@code writtenWith} as {@code schema}: what a snapshot's serializer restores to. */
    static <T> AvroSerializer<T> resolving(Class<T> specificClass, Schema schema, Schema writtenWith) {
        return new AvroSerializer<>(specificClass, schema, writtenWith);
    }

    /** The schema values are written with. */
    public Schema schema() {
        return schema;
    }

    Class<T> specificClass() {
        return specificClass;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void serialize(T value, DataOutput out) throws IOException {
        T written = value;
        Schema recordSchema = specificClass == null ? ((GenericRecord) value).getSchema() : schema;
        if (recordSchema != schema && !recordSchema.equals(schema)) {
            written = (T) convert((GenericRecord) value, schema); // a record restored in its old schema, written in the new one
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        writer.get().write(written, encoder);
        encoder.flush();
        out.writeInt(bytes.size());
        bytes.writeTo(new DataOutputStreamAdapter(out));
    }

    @Override
    public T deserialize(DataInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return reader.get().read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    /** {@code record} in {@code target}, by Avro's resolution rules. */
    private static GenericRecord convert(GenericRecord record, Schema target) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
        new GenericDatumWriter<GenericRecord>(record.getSchema(), GenericData.get()).write(record, encoder);
        encoder.flush();
        return new GenericDatumReader<GenericRecord>(record.getSchema(), target)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new AvroSerializerSnapshot<>(specificClass == null ? null : specificClass.getName(), schema);
    }

    @Override
    public String describe() {
        return "Avro(" + (specificClass == null ? "generic " : "") + schema.getFullName() + ")";
    }

    /** {@link DataOutput} as the stream {@link ByteArrayOutputStream#writeTo} takes. */
    private static final class DataOutputStreamAdapter extends java.io.OutputStream {
        private final DataOutput out;

        DataOutputStreamAdapter(DataOutput out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }
    }
}
