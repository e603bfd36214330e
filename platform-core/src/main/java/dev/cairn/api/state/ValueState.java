package dev.cairn.api.state;

/** One value per key; {@code null} when absent (or expired). */
public interface ValueState<T> extends State {
    T value() throws Exception;

    /** Sets the value; {@code null} clears it. */
    void update(T value) throws Exception;
}
