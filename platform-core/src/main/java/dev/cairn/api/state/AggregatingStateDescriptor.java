package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;
import java.util.Objects;

/** The serializer is the accumulator's. */
public final class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor<AggregatingState<IN, OUT>, ACC> {
    private final AggregateFunction<IN, ACC, OUT> aggregateFunction;

    public AggregatingStateDescriptor(String name, AggregateFunction<IN, ACC, OUT> aggregateFunction,
                                      TypeSerializer<ACC> accumulatorSerializer) {
        super(name, accumulatorSerializer);
        this.aggregateFunction = Objects.requireNonNull(aggregateFunction, "aggregateFunction");
    }

    public AggregatingStateDescriptor(String name, AggregateFunction<IN, ACC, OUT> aggregateFunction,
                                      Class<ACC> accumulatorType) {
        super(name, accumulatorType);
        this.aggregateFunction = Objects.requireNonNull(aggregateFunction, "aggregateFunction");
    }

    public AggregateFunction<IN, ACC, OUT> getAggregateFunction() {
        return aggregateFunction;
    }

    @Override
    public Kind getKind() {
        return Kind.AGGREGATING;
    }
}
