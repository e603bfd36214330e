package dev.cairn.api.job;

import dev.cairn.api.state.State;

/** A keyed state whose every access is additionally scoped to a namespace. */
public interface NamespacedState<N, S extends State> {
    /** The state for the current key in {@code namespace}; valid until the next call. */
    S in(N namespace);
}
