package dev.cairn.core.internal.serialization;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A POJO's class and, in the order they were written, its fields' names and serializer snapshots.
 * A POJO serializer of the same class reads the values as they are when the fields are the same,
 * and migrates them when fields were added or removed; a field whose serializer cannot read its
 * old values makes the state incompatible, naming the field.
 */
public final class PojoSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private String typeName;
    private final Map<String, SerializerSnapshotRef> fields = new LinkedHashMap<>();
    private ClassLoader classLoader;

    public PojoSerializerSnapshot() {
    }

    PojoSerializerSnapshot(PojoSerializer<T> serializer) {
        this.typeName = serializer.type().getName();
        serializer.slots().forEach(s -> fields.put(s.name(), SerializerSnapshotRef.of(s.serializer())));
    }

    @Override
    public int currentVersion() {
        return 1;
    }

    @Override
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeUTF(typeName);
        out.writeInt(fields.size());
        for (Map.Entry<String, SerializerSnapshotRef> f : fields.entrySet()) {
            out.writeUTF(f.getKey());
            f.getValue().writeTo(out);
        }
    }

    @Override
    public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
        typeName = in.readUTF();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            fields.put(in.readUTF(), SerializerSnapshotRef.readFrom(in));
        }
        classLoader = userClassLoader;
    }

    /** Reads the fields as they were written into the class as it is now: a field it no longer has is read and dropped. */
    @Override
    @SuppressWarnings("unchecked")
    public TypeSerializer<T> restoreSerializer() {
        Class<T> type = type();
        Map<String, Field> now = new LinkedHashMap<>();
        for (Field f : PojoSerializer.fields(type)) {
            f.setAccessible(true);
            now.put(f.getName(), f);
        }
        List<PojoSerializer.Slot> slots = new ArrayList<>();
        for (Map.Entry<String, SerializerSnapshotRef> f : fields.entrySet()) {
            TypeSerializer<Object> old = (TypeSerializer<Object>) restore(f.getKey(), f.getValue()).restoreSerializer();
            slots.add(new PojoSerializer.Slot(f.getKey(), now.get(f.getKey()), old));
        }
        return new PojoSerializer<>(type, slots, KryoSerializer.newPool(classLoader));
    }

    @Override
    public SerializerCompatibility resolveCompatibility(TypeSerializer<T> newSerializer) {
        if (explainIncompatibility(newSerializer) != null) {
            return SerializerCompatibility.INCOMPATIBLE;
        }
        PojoSerializer<?> pojo = (PojoSerializer<?>) newSerializer;
        List<String> written = List.copyOf(fields.keySet());
        List<String> declared = pojo.slots().stream().map(PojoSerializer.Slot::name).toList();
        boolean asIs = written.equals(declared);
        for (PojoSerializer.Slot s : pojo.slots()) {
            SerializerSnapshotRef ref = fields.get(s.name());
            if (ref != null && compatibility(s.name(), ref, s.serializer()) != SerializerCompatibility.COMPATIBLE_AS_IS) {
                asIs = false;
            }
        }
        return asIs ? SerializerCompatibility.COMPATIBLE_AS_IS : SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION;
    }

    @Override
    public String explainIncompatibility(TypeSerializer<T> newSerializer) {
        if (!(newSerializer instanceof PojoSerializer<?> pojo) || !pojo.type().getName().equals(typeName)) {
            return "the state was written with the POJO serializer of " + typeName;
        }
        List<String> retyped = new ArrayList<>();
        for (PojoSerializer.Slot s : pojo.slots()) {
            SerializerSnapshotRef ref = fields.get(s.name());
            if (ref != null && compatibility(s.name(), ref, s.serializer()) == SerializerCompatibility.INCOMPATIBLE) {
                retyped.add(s.name() + " (" + ref.serializer() + " in the snapshot, " + s.serializer().describe() + " now)");
            }
        }
        return retyped.isEmpty() ? null : typeName + " changed the type of field " + String.join(", ", retyped)
                + "; fields may be added and removed, not retyped";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private SerializerCompatibility compatibility(String field, SerializerSnapshotRef ref, TypeSerializer<?> now) {
        SerializerCompatibility c = ((TypeSerializerSnapshot) restore(field, ref)).resolveCompatibility(now);
        // a field's values are read with its old serializer and set as they are: only one that reads them as they are will do
        return c == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION ? SerializerCompatibility.INCOMPATIBLE : c;
    }

    private TypeSerializerSnapshot<?> restore(String field, SerializerSnapshotRef ref) {
        try {
            return ref.restore(PojoSerializerSnapshot.class.getClassLoader(), classLoader);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the serializer of field " + field + " of " + typeName + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Class<T> type() {
        try {
            return (Class<T>) Class.forName(typeName, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Class " + typeName + " of a POJO-serialized state is not visible to the job", e);
        }
    }
}
