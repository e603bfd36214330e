package dev.cairn.tools.state;

/**
 * One entry of a keyed state read from a snapshot, decoded with the snapshot's serializers: a
 * VALUE state has one per key (and namespace), a LIST state one per element, a MAP state one per
 * map entry.
 *
 * @param namespace    {@code null} for state outside windows
 * @param mapKey       {@code null} unless the state is a map
 * @param ttlTimestamp when the value was last written (epoch milliseconds), {@code null} without TTL
 */
public record StateEntry(Object key, Object namespace, Object mapKey, Object value, Long ttlTimestamp) {
}
