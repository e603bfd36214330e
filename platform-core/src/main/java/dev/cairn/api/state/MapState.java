package dev.cairn.api.state;

import java.util.Map;

/** A map per key. */
public interface MapState<K, V> extends State {
    V get(K key) throws Exception;

    void put(K key, V value) throws Exception;

    void putAll(Map<K, V> values) throws Exception;

    void remove(K key) throws Exception;

    boolean contains(K key) throws Exception;

    /** A snapshot copy of the entries: changing the state while iterating is safe. */
    Iterable<Map.Entry<K, V>> entries() throws Exception;

    boolean isEmpty() throws Exception;
}
