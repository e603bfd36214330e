package dev.cairn.serializer.avro;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.specific.SpecificData;

/**
 * The schema values were written with, and the generated class (none for generic records). An
 * Avro serializer of the same kind reads them as they are when its schema is the same, migrates
 * them when Avro can resolve the old schema to the new one, and is refused otherwise.
 */
public final class AvroSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    /** The generated class's name; {@code null} for generic records. */
    private String className;
    private Schema writtenWith;
    private ClassLoader classLoader;

    public AvroSerializerSnapshot() {
    }

    AvroSerializerSnapshot(String className, Schema writtenWith) {
        this.className = className;
        this.writtenWith = writtenWith;
    }

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeBoolean(className != null);
        if (className != null) {
            out.writeUTF(className);
        }
        byte[] schema = writtenWith.toString().getBytes(StandardCharsets.UTF_8); // a schema may be longer than writeUTF allows
        out.writeInt(schema.length);
        out.write(schema);
    }

    @Override
    public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
        className = in.readBoolean() ? in.readUTF() : null;
        byte[] schema = new byte[in.readInt()];
        in.readFully(schema);
        writtenWith = new Schema.Parser().parse(new String(schema, StandardCharsets.UTF_8));
        classLoader = userClassLoader;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<T> restoreSerializer() {
        if (className == null) {
            return (TypeSerializer<T>) AvroSerializer.resolving(null, writtenWith, writtenWith);
        }
        Class<T> type;
        try {
            type = specificClass();
        } catch (IllegalStateException gone) {
            // the job no longer has the class (and so no longer this state): its values stay readable as generic records
            return (TypeSerializer<T>) AvroSerializer.resolving(null, writtenWith, writtenWith);
        }
        Schema now = SpecificData.get().getSchema(type);
        if (SchemaCompatibility.checkReaderWriterCompatibility(now, writtenWith).getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            // read as written (a backend that reads at restore must not fail here): registering the state refuses it, saying why
            return (TypeSerializer<T>) AvroSerializer.resolving(null, writtenWith, writtenWith);
        }
        return AvroSerializer.resolving(type, now, writtenWith);
    }

    @Override
    public SerializerCompatibility resolveCompatibility(TypeSerializer<T> newSerializer) {
        if (explainIncompatibility(newSerializer) != null) {
            return SerializerCompatibility.INCOMPATIBLE;
        }
        return ((AvroSerializer<?>) newSerializer).schema().equals(writtenWith)
                ? SerializerCompatibility.COMPATIBLE_AS_IS : SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION;
    }

    @Override
    public String explainIncompatibility(TypeSerializer<T> newSerializer) {
        if (!(newSerializer instanceof AvroSerializer<?> avro)) {
            return "the state was written with Avro's " + writtenWith.getFullName();
        }
        boolean wasGeneric = className == null;
        boolean isGeneric = avro.specificClass() == null;
        if (wasGeneric != isGeneric || (!wasGeneric && !className.equals(avro.specificClass().getName()))) {
            return "the state holds " + (wasGeneric ? "generic records" : "records of " + className) + ", not "
                    + (isGeneric ? "generic records" : "records of " + avro.specificClass().getName());
        }
        SchemaCompatibility.SchemaPairCompatibility c = SchemaCompatibility.checkReaderWriterCompatibility(avro.schema(), writtenWith);
        if (c.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            return null;
        }
        return "Avro cannot read " + writtenWith.getFullName() + " as written into the new schema: "
                + c.getResult().getIncompatibilities().stream()
                .map(i -> i.getType() + " at " + i.getLocation() + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"))
                .collect(Collectors.joining("; "));
    }

    @SuppressWarnings("unchecked")
    private Class<T> specificClass() {
        try {
            return (Class<T>) Class.forName(className, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Avro class " + className + " of a state is not visible to the job", e);
        }
    }
}
