package dev.cairn.api.state;

/** Adds values into an accumulator with an {@link AggregateFunction}; reads its result. */
public interface AggregatingState<IN, OUT> extends AppendingState<IN, OUT> {
}
