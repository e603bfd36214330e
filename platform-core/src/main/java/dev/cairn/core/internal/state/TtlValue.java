package dev.cairn.core.internal.state;

/** A state value with the processing time it was last written (or read, per update type). */
public record TtlValue<T>(T value, long timestamp) {
}
