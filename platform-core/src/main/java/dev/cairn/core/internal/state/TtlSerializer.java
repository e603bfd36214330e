package dev.cairn.core.internal.state;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** Writes the timestamp, then the value with the user's serializer. */
public final class TtlSerializer<T> implements TypeSerializer<TtlValue<T>> {

    private final TypeSerializer<T> valueSerializer;

    public TtlSerializer(TypeSerializer<T> valueSerializer) {
        this.valueSerializer = valueSerializer;
    }

    public TypeSerializer<T> valueSerializer() {
        return valueSerializer;
    }

    @Override
    public void serialize(TtlValue<T> v, DataOutput out) throws IOException {
        out.writeLong(v.timestamp());
        valueSerializer.serialize(v.value(), out);
    }

    @Override
    public TtlValue<T> deserialize(DataInput in) throws IOException {
        long ts = in.readLong();
        return new TtlValue<>(valueSerializer.deserialize(in), ts);
    }

    @Override
    public boolean isStateless() {
        return valueSerializer.isStateless();
    }

    @Override
    public TypeSerializerSnapshot<TtlValue<T>> snapshotConfiguration() {
        return new Snapshot<>(SerializerSnapshotRef.of(valueSerializer));
    }

    @Override
    public String describe() {
        return "Ttl(" + valueSerializer.describe() + ")";
    }

    /** Delegates compatibility to the value serializer's snapshot. */
    public static final class Snapshot<T> implements TypeSerializerSnapshot<TtlValue<T>> {
        private SerializerSnapshotRef inner;
        private TypeSerializerSnapshot<T> restoredInner;

        public Snapshot() {
        }

        Snapshot(SerializerSnapshotRef inner) {
            this.inner = inner;
        }

        /** Version 2 writes the inner snapshot's bytes with a length (version 1's writeUTF stopped at 64 KiB). */
        @Override
        public int currentVersion() {
            return 2;
        }

        @Override
        public void writeSnapshot(DataOutput out) throws IOException {
            inner.writeTo(out);
        }

        @Override
        public void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException {
            inner = version >= 2 ? SerializerSnapshotRef.readFrom(in) : new SerializerSnapshotRef(in.readUTF(), in.readInt(), in.readUTF(), in.readUTF());
            restoredInner = inner.restore(TtlSerializer.class.getClassLoader(), userClassLoader);
        }

        @Override
        public TypeSerializer<TtlValue<T>> restoreSerializer() {
            return new TtlSerializer<>(restoredInner.restoreSerializer());
        }

        @Override
        public SerializerCompatibility resolveCompatibility(TypeSerializer<TtlValue<T>> newSerializer) {
            if (!(newSerializer instanceof TtlSerializer<T> ttl)) {
                return SerializerCompatibility.INCOMPATIBLE;
            }
            return restoredInner.resolveCompatibility(ttl.valueSerializer());
        }

        @Override
        public String explainIncompatibility(TypeSerializer<TtlValue<T>> newSerializer) {
            return newSerializer instanceof TtlSerializer<T> ttl ? restoredInner.explainIncompatibility(ttl.valueSerializer()) : null;
        }
    }
}
