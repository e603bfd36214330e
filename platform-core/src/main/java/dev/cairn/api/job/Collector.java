package dev.cairn.api.job;

@FunctionalInterface
public interface Collector<T> {
    void collect(T record);
}
