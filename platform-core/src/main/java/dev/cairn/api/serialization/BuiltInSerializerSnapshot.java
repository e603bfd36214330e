package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Snapshot of a serializer without configuration: it records which built-in serializer wrote
 * the bytes, and only that same serializer reads them again.
 */
public final class BuiltInSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private String serializerName;

    public BuiltInSerializerSnapshot() {
    }

    BuiltInSerializerSnapshot(String serializerName) {
        this.serializerName = serializerName;
    }

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeUTF(serializerName);
    }

    @Override
    public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
        serializerName = in.readUTF();
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<T> restoreSerializer() {
        TypeSerializer<?> s = Serializers.builtIn(serializerName);
        if (s == null) {
            throw new IllegalStateException("Unknown built-in serializer '" + serializerName + "'");
        }
        return (TypeSerializer<T>) s;
    }

    @Override
    public SerializerCompatibility resolveCompatibility(TypeSerializer<T> newSerializer) {
        return serializerName.equals(newSerializer.describe())
                ? SerializerCompatibility.COMPATIBLE_AS_IS
                : SerializerCompatibility.INCOMPATIBLE;
    }

    public String serializerName() {
        return serializerName;
    }
}
