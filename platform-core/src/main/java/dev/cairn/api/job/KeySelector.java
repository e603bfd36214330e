package dev.cairn.api.job;

/** Extracts the key a record is partitioned and its state scoped by. Must be deterministic. */
@FunctionalInterface
public interface KeySelector<T, K> extends java.io.Serializable {
    K getKey(T record) throws Exception;
}
