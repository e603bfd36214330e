package dev.cairn.backend.heap;

/** The table key of state that has a namespace; state without one is keyed by the key alone. */
record NamespacedKey(Object key, Object namespace) {
}
