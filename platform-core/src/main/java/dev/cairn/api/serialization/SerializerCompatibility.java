package dev.cairn.api.serialization;

/** The answer of {@link TypeSerializerSnapshot#resolveCompatibility}. */
public enum SerializerCompatibility {
    /** The new serializer reads the old bytes as they are. */
    COMPATIBLE_AS_IS,
    /** The old bytes are read with the restored serializer and rewritten with the new one. */
    COMPATIBLE_AFTER_MIGRATION,
    /** The state cannot be restored with the new serializer: restore fails naming the state. */
    INCOMPATIBLE
}
