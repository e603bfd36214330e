package dev.cairn.core.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Serializes a POJO field by field, by name: a concrete class (not a record, enum or array) with a
 * no-argument constructor, whose fields (non-static, non-transient, its own and inherited, no two
 * of one name) are written in a fixed order, each with a presence flag and its type's serializer
 * (built-in, else Kryo). Because the snapshot records each field's name and serializer, a class
 * that gained or lost fields is migrated on restore: fields still there are read into the new
 * class, removed ones are skipped, added ones keep their defaults. A field whose type changed
 * cannot be migrated. A value of a subclass is written whole by Kryo (class and object), behind a
 * marker, so it keeps its type.
 */
public final class PojoSerializer<T> implements TypedSerializer<T> {

    private static final Map<Class<?>, Class<?>> BOXED = Map.of(long.class, Long.class, int.class, Integer.class,
            double.class, Double.class, boolean.class, Boolean.class, float.class, Float.class, short.class, Short.class,
            byte.class, Byte.class, char.class, Character.class);
    /** The first byte of a value: its fields follow, or (a subclass) Kryo's class and object. */
    private static final int FIELDS = 0;
    private static final int SUBCLASS = 1;

    /** A field as written: its name, the class's field it is read into ({@code null}: skipped), its serializer. */
    record Slot(String name, Field field, TypeSerializer<Object> serializer) {
    }

    private final Class<T> type;
    private final Constructor<T> constructor;
    private final List<Slot> slots;
    private final KryoSerializer<T> subclasses;

    PojoSerializer(Class<T> type, List<Slot> slots, Pool<Kryo> kryo) {
        this.type = type;
        this.constructor = constructorOf(type);
        this.slots = List.copyOf(slots);
        this.subclasses = new KryoSerializer<>(type, kryo);
    }

    /** A serializer of {@code type} as it is now, or {@code null} if it is not a POJO. */
    static <T> PojoSerializer<T> of(Class<T> type, Pool<Kryo> kryo) {
        if (!isPojo(type)) {
            return null;
        }
        List<Slot> slots = new ArrayList<>();
        for (Field f : fields(type)) {
            f.setAccessible(true);
            slots.add(new Slot(f.getName(), f, fieldSerializer(f.getType(), kryo)));
        }
        return new PojoSerializer<>(type, slots, kryo);
    }

    static boolean isPojo(Class<?> type) {
        if (type.isRecord() || type.isEnum() || type.isArray() || type.isInterface() || type.isPrimitive() || type.isSynthetic()
                || Modifier.isAbstract(type.getModifiers()) || (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))
                || type.getName().startsWith("java.")) {
            return false;
        }
        try {
            type.getDeclaredConstructor();
            List<Field> fields = fields(type);
            if (fields.isEmpty() || fields.stream().map(Field::getName).distinct().count() < fields.size()) {
                return false; // a field that hides an inherited one of its name could not be told apart in the snapshot
            }
            for (Field f : fields) {
                if (Modifier.isFinal(f.getModifiers())) {
                    return false; // a final field cannot be set after construction
                }
                f.setAccessible(true);
            }
            constructorOf(type);
            return true;
        } catch (NoSuchMethodException | InaccessibleObjectException | SecurityException e) {
            return false;
        }
    }

    /** The fields written, superclass fields first, each class's by name. */
    static List<Field> fields(Class<?> type) {
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            chain.add(0, c);
        }
        List<Field> fields = new ArrayList<>();
        for (Class<?> c : chain) {
            Arrays.stream(c.getDeclaredFields())
                    .filter(f -> !Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers()) && !f.isSynthetic())
                    .sorted(Comparator.comparing(Field::getName))
                    .forEach(fields::add);
        }
        return fields;
    }

    @SuppressWarnings("unchecked")
    static TypeSerializer<Object> fieldSerializer(Class<?> fieldType, Pool<Kryo> kryo) {
        Class<?> boxed = BOXED.getOrDefault(fieldType, fieldType);
        TypeSerializer<?> builtIn = Serializers.forType(boxed);
        return (TypeSerializer<Object>) (builtIn != null ? builtIn : new KryoSerializer<>((Class<Object>) boxed, kryo));
    }

    private static <T> Constructor<T> constructorOf(Class<T> type) {
        try {
            Constructor<T> c = type.getDeclaredConstructor();
            c.setAccessible(true);
            return c;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type.getName() + " has no constructor without arguments, which its POJO serializer needs", e);
        }
    }

    @Override
    public Class<T> type() {
        return type;
    }

    List<Slot> slots() {
        return slots;
    }

    @Override
    public void serialize(T value, DataOutput out) throws IOException {
        if (value.getClass() != type) {
            out.writeByte(SUBCLASS);
            subclasses.serialize(value, out);
            return;
        }
        out.writeByte(FIELDS);
        try {
            for (Slot s : slots) {
                // a field the class no longer has (a serializer restored for reading old values) is written as absent
                Object v = s.field() == null ? null : s.field().get(value);
                out.writeBoolean(v != null);
                if (v != null) {
                    s.serializer().serialize(v, out);
                }
            }
        } catch (IllegalAccessException e) {
            throw new IOException("Cannot read the fields of " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(DataInput in) throws IOException {
        if (in.readByte() == SUBCLASS) {
            return subclasses.deserialize(in);
        }
        try {
            T value = constructor.newInstance();
            for (Slot s : slots) {
                if (in.readBoolean()) {
                    Object v = s.serializer().deserialize(in);
                    // a field retyped since the snapshot is left alone: the restore's schema check refuses that state, naming the field
                    if (s.field() != null && BOXED.getOrDefault(s.field().getType(), s.field().getType()).isInstance(v)) {
                        s.field().set(value, v);
                    }
                }
            }
            return value;
        } catch (ReflectiveOperationException e) {
            throw new IOException("Cannot create a " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new PojoSerializerSnapshot<>(this);
    }

    @Override
    public String describe() {
        return "Pojo(" + type.getName() + ")";
    }
}
