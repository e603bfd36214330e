package dev.cairn.api.state;

/** Folds every added value into one with a {@link ReduceFunction}. */
public interface ReducingState<T> extends AppendingState<T, T> {
}
