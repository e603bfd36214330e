package dev.cairn.api.state;

/** State scoped to the current key (and namespace). */
public interface State {
    /** Removes the value for the current key. */
    void clear() throws Exception;
}
