package dev.cairn.conformance;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A serializer with two wire formats for the same type: version 1 writes modified UTF-8,
 * version 2 a length and UTF-8 bytes. Version 1 bytes can be migrated to version 2, not back.
 */
public final class EvolvingStringSerializer implements TypeSerializer<String> {

    private final int version;

    public EvolvingStringSerializer(int version) {
        this.version = version;
    }

    @Override
    public void serialize(String value, DataOutput out) throws IOException {
        if (version == 1) {
            out.writeUTF(value);
        } else {
            byte[] b = value.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
        }
    }

    @Override
    public String deserialize(DataInput in) throws IOException {
        if (version == 1) {
            return in.readUTF();
        }
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public TypeSerializerSnapshot<String> snapshotConfiguration() {
        Snapshot s = new Snapshot();
        s.version = version;
        return s;
    }

    @Override
    public String describe() {
        return "EvolvingString(v" + version + ")";
    }

    public static final class Snapshot implements TypeSerializerSnapshot<String> {
        private int version;

        @Override
        public int currentVersion() {
            return 1;
        }

        @Override
        public void writeSnapshot(DataOutput out) throws IOException {
            out.writeInt(version);
        }

        @Override
        public void readSnapshot(int snapshotVersion, DataInput in, ClassLoader userClassLoader) throws IOException {
            version = in.readInt();
        }

        @Override
        public TypeSerializer<String> restoreSerializer() {
            return new EvolvingStringSerializer(version);
        }

        @Override
        public SerializerCompatibility resolveCompatibility(TypeSerializer<String> newSerializer) {
            if (!(newSerializer instanceof EvolvingStringSerializer e)) {
                return SerializerCompatibility.INCOMPATIBLE;
            }
            if (e.version == version) {
                return SerializerCompatibility.COMPATIBLE_AS_IS;
            }
            return e.version > version ? SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION : SerializerCompatibility.INCOMPATIBLE;
        }
    }
}
