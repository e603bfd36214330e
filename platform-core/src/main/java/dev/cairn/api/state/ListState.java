package dev.cairn.api.state;

import java.util.List;

/** A list per key; {@link #get()} returns an empty list when absent. */
public interface ListState<T> extends AppendingState<T, Iterable<T>> {
    void addAll(List<T> values) throws Exception;

    /** Replaces the list; an empty list clears it. */
    void update(List<T> values) throws Exception;
}
