package dev.cairn.spi.snapshot;

/**
 * The schema of one keyed state in a snapshot.
 *
 * @param kind                the user-facing kind (VALUE, LIST, MAP, REDUCING, AGGREGATING) or TIMERS
 * @param mapKeySerializer    only for MAP (and timers), else {@code null}
 * @param ttl                 whether values are wrapped with a TTL timestamp
 */
public record StateMetaInfo(String name, String kind, SerializerSnapshotRef namespaceSerializer,
                            SerializerSnapshotRef valueSerializer, SerializerSnapshotRef mapKeySerializer,
                            boolean ttl) {
}
