package dev.cairn.api.job;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.state.AggregatingState;
import dev.cairn.api.state.AggregatingStateDescriptor;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.OperatorStateStore;
import dev.cairn.api.state.ReducingState;
import dev.cairn.api.state.ReducingStateDescriptor;
import dev.cairn.api.state.State;
import dev.cairn.api.state.StateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;

/** What a keyed function sees of its subtask: keyed state, operator state, its place in the job. */
public interface KeyedRuntimeContext {
    <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) throws Exception;

    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) throws Exception;

    <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) throws Exception;

    <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) throws Exception;

    <I, A, O> AggregatingState<I, O> getAggregatingState(AggregatingStateDescriptor<I, A, O> descriptor) throws Exception;

    /** State further scoped by a namespace (a window, a session, …) chosen per access. */
    <N, S extends State> NamespacedState<N, S> getNamespacedState(TypeSerializer<N> namespaceSerializer,
                                                                 StateDescriptor<S, ?> descriptor) throws Exception;

    OperatorStateStore getOperatorStateStore();

    int subtaskIndex();

    int parallelism();

    int maxParallelism();

    ClassLoader userClassLoader();
}
