package dev.cairn.api.state;

/** State that values are added to and a result read from. */
public interface AppendingState<IN, OUT> extends State {
    /** The result for the current key, {@code null} (reducing, aggregating) or empty (list) when absent. */
    OUT get() throws Exception;

    void add(IN value) throws Exception;
}
