package dev.cairn.api.state;

/** Accumulates inputs into an {@code ACC} kept in state and derives the result from it. */
public interface AggregateFunction<IN, ACC, OUT> extends java.io.Serializable {
    ACC createAccumulator();

    ACC add(IN value, ACC accumulator);

    OUT getResult(ACC accumulator);
}
