package dev.cairn.core.internal.serialization;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Records the type Kryo wrote; only a Kryo serializer of that same type reads it. */
public final class KryoSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private String typeName;
    private ClassLoader classLoader;

    public KryoSerializerSnapshot() {
    }

    KryoSerializerSnapshot(String typeName) {
        this.typeName = typeName;
    }

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeUTF(typeName);
    }

    @Override
    public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
        typeName = in.readUTF();
        classLoader = userClassLoader;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<T> restoreSerializer() {
        try {
            Class<T> type = (Class<T>) Class.forName(typeName, false, classLoader);
            return new KryoSerializer<>(type, KryoSerializer.newPool(classLoader));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Class " + typeName + " of a Kryo-serialized state is not visible to the job", e);
        }
    }

    @Override
    public SerializerCompatibility resolveCompatibility(TypeSerializer<T> newSerializer) {
        return newSerializer instanceof KryoSerializer<?> k && k.type().getName().equals(typeName)
                ? SerializerCompatibility.COMPATIBLE_AS_IS
                : SerializerCompatibility.INCOMPATIBLE;
    }
}
