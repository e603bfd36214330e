package dev.cairn.core.internal.serialization;

import dev.cairn.api.serialization.TypeSerializer;

/** A serializer of one class the job declared (Kryo's, a POJO's): what tools read values into and parse keys as. */
public interface TypedSerializer<T> extends TypeSerializer<T> {
    Class<T> type();
}
