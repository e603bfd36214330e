package dev.cairn.core.internal.serialization;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Records the type Kryo wrote and its shape: the fields Kryo reads and writes (a record's
 * components in order, a class's own and inherited fields), each with its type. Only a Kryo
 * serializer of the same type with the same shape reads it: Kryo's field serializers read by
 * position, so a field added, removed or retyped would read garbage or fail half way. Version 1
 * snapshots (before the shape was recorded) are matched by the type's name only.
 */
public final class KryoSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {

    private String typeName;
    /** {@code name:type} per field, comma-separated; {@code null} in a version 1 snapshot. */
    private String shape;
    private ClassLoader classLoader;

    public KryoSerializerSnapshot() {
    }

    KryoSerializerSnapshot(Class<?> type) {
        this.typeName = type.getName();
        this.shape = shapeOf(type);
    }

    /** The fields Kryo serializes, as {@code name:type}: a record's components in order, else non-transient instance fields by name. */
    static String shapeOf(Class<?> type) {
        List<String> fields = new ArrayList<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                fields.add(c.getName() + ":" + c.getGenericType().getTypeName());
            }
        } else if (!type.isInterface() && !type.isEnum() && !type.isArray() && !type.isPrimitive()) {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                Arrays.stream(c.getDeclaredFields())
                        .filter(f -> !Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers()))
                        .sorted(Comparator.comparing(Field::getName))
                        .forEach(f -> fields.add(f.getName() + ":" + f.getGenericType().getTypeName()));
            }
        }
        return String.join(",", fields);
    }

    @Override
    public int currentVersion() {
        return 2;
    }

    @Override
    public void writeSnapshot(DataOutput out) throws IOException {
        out.writeUTF(typeName);
        out.writeUTF(shape);
    }

    @Override
    public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
        typeName = in.readUTF();
        shape = version >= 2 ? in.readUTF() : null;
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
        if (explainIncompatibility(newSerializer) != null) {
            return SerializerCompatibility.INCOMPATIBLE;
        }
        // the same class now has a POJO serializer: read with Kryo once, written by fields from then on
        return newSerializer instanceof PojoSerializer ? SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION : SerializerCompatibility.COMPATIBLE_AS_IS;
    }

    /** Why {@code newSerializer} cannot read what this snapshot describes (the fields added and removed), or {@code null} if it can. */
    @Override
    public String explainIncompatibility(TypeSerializer<T> newSerializer) {
        if (!(newSerializer instanceof TypedSerializer<?> k) || !(k instanceof KryoSerializer || k instanceof PojoSerializer)
                || !k.type().getName().equals(typeName)) {
            return "the state was written with Kryo for " + typeName;
        }
        if (shape == null) {
            return null;
        }
        String now = shapeOf(k.type()); // Kryo reads the old values even when they move to a POJO serializer: the class must be as it was
        if (now.equals(shape)) {
            return null;
        }
        Set<String> before = new LinkedHashSet<>(split(shape));
        Set<String> after = new LinkedHashSet<>(split(now));
        Set<String> removed = new LinkedHashSet<>(before);
        removed.removeAll(after);
        Set<String> added = new LinkedHashSet<>(after);
        added.removeAll(before);
        return typeName + " changed since the snapshot (Kryo reads fields by position and cannot migrate): "
                + (added.isEmpty() && removed.isEmpty() ? "its fields were reordered"
                : (removed.isEmpty() ? "" : "removed " + String.join(", ", removed)) + (removed.isEmpty() || added.isEmpty() ? "" : "; ")
                + (added.isEmpty() ? "" : "added " + String.join(", ", added)))
                + "; restore with the class as it was, or give the state a serializer that can evolve";
    }

    private static List<String> split(String s) {
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(","));
    }
}
