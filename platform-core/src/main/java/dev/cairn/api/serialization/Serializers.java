package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Fast serializers for the common types. Types without one here fall back to Kryo, bound to the
 * job's class loader (see {@code StateDescriptor} created from a {@code Class}).
 */
public final class Serializers {

    public static final TypeSerializer<Long> LONG = new BuiltIn<>("Long") {
        public void serialize(Long v, DataOutput out) throws IOException { out.writeLong(v); }
        public Long deserialize(DataInput in) throws IOException { return in.readLong(); }
    };
    public static final TypeSerializer<Integer> INT = new BuiltIn<>("Integer") {
        public void serialize(Integer v, DataOutput out) throws IOException { out.writeInt(v); }
        public Integer deserialize(DataInput in) throws IOException { return in.readInt(); }
    };
    public static final TypeSerializer<Double> DOUBLE = new BuiltIn<>("Double") {
        public void serialize(Double v, DataOutput out) throws IOException { out.writeDouble(v); }
        public Double deserialize(DataInput in) throws IOException { return in.readDouble(); }
    };
    public static final TypeSerializer<Boolean> BOOLEAN = new BuiltIn<>("Boolean") {
        public void serialize(Boolean v, DataOutput out) throws IOException { out.writeBoolean(v); }
        public Boolean deserialize(DataInput in) throws IOException { return in.readBoolean(); }
    };
    /** UTF-8 with a length prefix; unlike {@code writeUTF} it has no 64 KiB limit. */
    public static final TypeSerializer<String> STRING = new BuiltIn<>("String") {
        public void serialize(String v, DataOutput out) throws IOException {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
        public String deserialize(DataInput in) throws IOException {
            int length = in.readInt();
            if (in instanceof ByteArrayDataInput bulk) { // decoded where the bytes lie: no copy of them first
                int at = bulk.position();
                bulk.advance(length);
                return new String(bulk.array(), at, length, StandardCharsets.UTF_8);
            }
            byte[] b = new byte[length];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        }
    };
    public static final TypeSerializer<byte[]> BYTES = new BuiltIn<>("Bytes") {
        public void serialize(byte[] v, DataOutput out) throws IOException {
            out.writeInt(v.length);
            out.write(v);
        }
        public byte[] deserialize(DataInput in) throws IOException {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return b;
        }
    };
    /** The namespace of state that has none (the usual case). */
    public static final TypeSerializer<VoidNamespace> VOID_NAMESPACE = new BuiltIn<>("VoidNamespace") {
        public void serialize(VoidNamespace v, DataOutput out) {
        }
        public VoidNamespace deserialize(DataInput in) {
            return VoidNamespace.INSTANCE;
        }
    };

    private static final Map<String, TypeSerializer<?>> BY_NAME = Map.of(
            "Long", LONG, "Integer", INT, "Double", DOUBLE, "Boolean", BOOLEAN,
            "String", STRING, "Bytes", BYTES, "VoidNamespace", VOID_NAMESPACE);

    private static final Map<Class<?>, TypeSerializer<?>> BY_TYPE = Map.of(
            Long.class, LONG, Integer.class, INT, Double.class, DOUBLE, Boolean.class, BOOLEAN,
            String.class, STRING, byte[].class, BYTES, VoidNamespace.class, VOID_NAMESPACE);

    private Serializers() {
    }

    /** The built-in serializer for {@code type}, or {@code null} when the type needs Kryo. */
    @SuppressWarnings("unchecked")
    public static <T> TypeSerializer<T> forType(Class<T> type) {
        return (TypeSerializer<T>) BY_TYPE.get(type);
    }

    static TypeSerializer<?> builtIn(String name) {
        return BY_NAME.get(name);
    }

    private abstract static class BuiltIn<T> implements TypeSerializer<T> {
        private final String name;

        BuiltIn(String name) {
            this.name = name;
        }

        @Override
        public TypeSerializerSnapshot<T> snapshotConfiguration() {
            return new BuiltInSerializerSnapshot<>(name);
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
