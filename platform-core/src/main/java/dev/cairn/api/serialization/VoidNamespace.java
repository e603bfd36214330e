package dev.cairn.api.serialization;

/** The single namespace of state that is not scoped to a window or similar. */
public enum VoidNamespace {
    INSTANCE
}
