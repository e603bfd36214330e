package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;
import java.util.Objects;

public final class ReducingStateDescriptor<T> extends StateDescriptor<ReducingState<T>, T> {
    private final ReduceFunction<T> reduceFunction;

    public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, TypeSerializer<T> serializer) {
        super(name, serializer);
        this.reduceFunction = Objects.requireNonNull(reduceFunction, "reduceFunction");
    }

    public ReducingStateDescriptor(String name, ReduceFunction<T> reduceFunction, Class<T> type) {
        super(name, type);
        this.reduceFunction = Objects.requireNonNull(reduceFunction, "reduceFunction");
    }

    public ReduceFunction<T> getReduceFunction() {
        return reduceFunction;
    }

    @Override
    public Kind getKind() {
        return Kind.REDUCING;
    }
}
