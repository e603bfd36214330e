package dev.cairn.api.state;

@FunctionalInterface
public interface ReduceFunction<T> extends java.io.Serializable {
    T reduce(T accumulated, T value) throws Exception;
}
