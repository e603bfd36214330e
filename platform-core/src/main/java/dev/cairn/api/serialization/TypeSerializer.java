package dev.cairn.api.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes and reads values of one type. Implementations are stateless or thread-confined; the
 * platform never shares one instance between subtasks unless {@link #isStateless()} says so.
 */
public interface TypeSerializer<T> {

    void serialize(T value, DataOutput out) throws IOException;

    /**
     * Reads one value. {@code in} may be a {@link ByteArrayDataInput}, whose array a serializer may
     * read in place but must not keep: the platform reuses it for the next value.
     */
    T deserialize(DataInput in) throws IOException;

    /**
     * The snapshot stored with every snapshot of a state using this serializer; on restore it
     * reads the old bytes and decides compatibility with the serializer the job declares then.
     */
    TypeSerializerSnapshot<T> snapshotConfiguration();

    /** True when one instance may be used by several threads at once. */
    default boolean isStateless() {
        return true;
    }

    /** A short name for messages, e.g. {@code Long} or {@code Kryo(Product)}. */
    default String describe() {
        return getClass().getSimpleName();
    }
}
