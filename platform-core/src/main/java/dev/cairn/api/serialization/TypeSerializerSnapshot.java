package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The schema of a serializer as written into snapshot metadata. Implementations need a public
 * no-argument constructor: the platform instantiates them by class name on restore and then
 * calls {@link #readSnapshot}.
 */
public interface TypeSerializerSnapshot<T> {

    int currentVersion();

    void writeSnapshot(DataOutput out) throws IOException;

    void readSnapshot(int version, DataInput in, ClassLoader userClassLoader) throws IOException;

    /** A serializer able to read the bytes written under this snapshot. */
    TypeSerializer<T> restoreSerializer();

    /** Whether values written under this snapshot can be read or migrated by {@code newSerializer}. */
    SerializerCompatibility resolveCompatibility(TypeSerializer<T> newSerializer);

    /**
     * Why {@code newSerializer} cannot read the values ({@link #resolveCompatibility} said
     * {@link SerializerCompatibility#INCOMPATIBLE}), for the restore's error: e.g. the fields that
     * changed. {@code null} when there is nothing to add to the two serializers' names.
     */
    default String explainIncompatibility(TypeSerializer<T> newSerializer) {
        return null;
    }
}
