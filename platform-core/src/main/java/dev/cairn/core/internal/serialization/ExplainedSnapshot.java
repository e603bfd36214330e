package dev.cairn.core.internal.serialization;

import dev.cairn.api.serialization.TypeSerializer;

/** A serializer snapshot that can say why a new serializer cannot read its values, for the restore's error. */
public interface ExplainedSnapshot {
    /** What keeps {@code newSerializer} from reading the values, or {@code null} if it can. */
    String incompatibility(TypeSerializer<?> newSerializer);
}
