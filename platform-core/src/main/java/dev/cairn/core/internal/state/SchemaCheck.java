package dev.cairn.core.internal.state;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;

/** Compares the schema of a restored state with what the job declares now. */
public final class SchemaCheck {
    private SchemaCheck() {
    }

    /**
     * @return how the restored values can be used
     * @throws StateCompatibilityException naming the operator, the state and what differs
     */
    public static SerializerCompatibility check(String operatorUid, StateMetaInfo restored, StateMetaInfo declared,
                                                TypeSerializer<?> valueSerializer, TypeSerializer<?> mapKeySerializer,
                                                ClassLoader userClassLoader) {
        if (restored == null) {
            return SerializerCompatibility.COMPATIBLE_AS_IS;
        }
        String where = "State '" + declared.name() + "' of operator '" + operatorUid + "'";
        if (!restored.kind().equals(declared.kind())) {
            throw new StateCompatibilityException(where + " is " + restored.kind() + " state in the snapshot, but the job declares it as "
                    + declared.kind() + " state");
        }
        if (restored.ttl() != declared.ttl()) {
            throw new StateCompatibilityException(where + (restored.ttl() ? " has a TTL in the snapshot, but the job declares none"
                    : " has no TTL in the snapshot, but the job declares one") + "; TTL cannot be switched on or off on restore");
        }
        SerializerCompatibility values = compare(where, "values", restored.valueSerializer(), valueSerializer, userClassLoader);
        SerializerCompatibility keys = mapKeySerializer == null ? SerializerCompatibility.COMPATIBLE_AS_IS
                : compare(where, "map keys", restored.mapKeySerializer(), mapKeySerializer, userClassLoader);
        if (keys == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION) {
            // map keys are part of where entries are stored (and of their order): backends migrate values only
            throw new StateCompatibilityException(where + ": its map keys were written with serializer " + restored.mapKeySerializer().serializer()
                    + ", and the job now declares " + mapKeySerializer.describe() + ", which would need them migrated; map keys cannot be");
        }
        return values == SerializerCompatibility.COMPATIBLE_AS_IS ? keys : values;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static SerializerCompatibility compare(String where, String what, SerializerSnapshotRef ref,
                                                   TypeSerializer<?> now, ClassLoader userClassLoader) {
        TypeSerializerSnapshot snapshot;
        try {
            snapshot = ref.restore(SchemaCheck.class.getClassLoader(), userClassLoader);
        } catch (IOException e) {
            throw new StateCompatibilityException(where + ": cannot read the serializer of its " + what + " (" + ref.serializer() + "): " + e.getMessage(), e);
        }
        SerializerCompatibility c = snapshot.resolveCompatibility(now);
        if (c == SerializerCompatibility.INCOMPATIBLE) {
            String why = snapshot.explainIncompatibility(now);
            throw new StateCompatibilityException(where + ": its " + what + " were written with serializer " + ref.serializer()
                    + ", and the job now declares " + now.describe() + ", which cannot read them" + (why == null ? "" : ": " + why));
        }
        return c;
    }
}
