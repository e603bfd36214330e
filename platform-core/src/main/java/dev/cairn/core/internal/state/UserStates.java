package dev.cairn.core.internal.state;

import dev.cairn.api.state.AggregateFunction;
import dev.cairn.api.state.AggregatingState;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.ReduceFunction;
import dev.cairn.api.state.ReducingState;
import dev.cairn.api.state.ValueState;
import dev.cairn.spi.backend.InternalListState;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.InternalValueState;
import java.util.List;
import java.util.Map;

/** The API's state interfaces over a backend's value, list and map state. */
final class UserStates {
    private UserStates() {
    }

    static <T> ValueState<T> value(InternalValueState<?, T> s) {
        return new ValueState<>() {
            public T value() {
                return s.get();
            }

            public void update(T value) {
                s.put(value);
            }

            public void clear() {
                s.clear();
            }
        };
    }

    static <T> ListState<T> list(InternalListState<?, T> s) {
        return new ListState<>() {
            public Iterable<T> get() {
                List<T> l = s.get();
                // a read-only view, not a copy: backends copy a list before changing one they handed out
                return l == null ? List.of() : java.util.Collections.unmodifiableList(l);
            }

            public void add(T value) {
                s.add(java.util.Objects.requireNonNull(value, "list state element"));
            }

            public void addAll(List<T> values) {
                if (!values.isEmpty()) {
                    s.addAll(values);
                }
            }

            public void update(List<T> values) {
                s.update(values);
            }

            public void clear() {
                s.clear();
            }
        };
    }

    static <K, V> MapState<K, V> map(InternalMapState<?, K, V> s) {
        return new MapState<>() {
            public V get(K key) {
                return s.get(key);
            }

            public void put(K key, V value) {
                s.put(key, value);
            }

            public void putAll(Map<K, V> values) {
                values.forEach(s::put);
            }

            public void remove(K key) {
                s.remove(key);
            }

            public boolean contains(K key) {
                return s.contains(key);
            }

            public Iterable<Map.Entry<K, V>> entries() {
                return s.entries().entrySet();
            }

            public boolean isEmpty() {
                return s.entries().isEmpty();
            }

            public void clear() {
                s.clear();
            }
        };
    }

    static <T> ReducingState<T> reducing(InternalValueState<?, T> s, ReduceFunction<T> fn) {
        return new ReducingState<>() {
            public T get() {
                return s.get();
            }

            public void add(T value) throws Exception {
                T current = s.get();
                s.put(current == null ? value : fn.reduce(current, value));
            }

            public void clear() {
                s.clear();
            }
        };
    }

    static <I, A, O> AggregatingState<I, O> aggregating(InternalValueState<?, A> s, AggregateFunction<I, A, O> fn) {
        return new AggregatingState<>() {
            public O get() {
                A acc = s.get();
                return acc == null ? null : fn.getResult(acc);
            }

            public void add(I value) {
                A acc = s.get();
                s.put(fn.add(value, acc == null ? fn.createAccumulator() : acc));
            }

            public void clear() {
                s.clear();
            }
        };
    }
}
