package dev.cairn.spi.backend;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.snapshot.StateMetaInfo;

/**
 * A state as the kernel registers it with a backend.
 *
 * @param valueSerializer    value (VALUE), element (LIST) or map value (MAP) serializer
 * @param mapKeySerializer   MAP only
 * @param snapshotFilter     elements it rejects are left out of full snapshots; {@code null} keeps all
 * @param cleanupFilter      elements it rejects may be removed by {@link InternalKvState#cleanupSome}; {@code null} for none
 * @param metaInfo           what the snapshot metadata records for this state
 * @param compactionCleanup  expired elements a backend may drop while it rewrites its data; {@code null} for none
 */
public record StateSpec(String name, StateKind kind, TypeSerializer<?> namespaceSerializer,
                        TypeSerializer<?> valueSerializer, TypeSerializer<?> mapKeySerializer,
                        ElementFilter snapshotFilter, ElementFilter cleanupFilter, StateMetaInfo metaInfo,
                        TtlCompactionCleanup compactionCleanup) {

    /** A state without cleanup during the backend's rewrites. */
    public StateSpec(String name, StateKind kind, TypeSerializer<?> namespaceSerializer,
                     TypeSerializer<?> valueSerializer, TypeSerializer<?> mapKeySerializer,
                     ElementFilter snapshotFilter, ElementFilter cleanupFilter, StateMetaInfo metaInfo) {
        this(name, kind, namespaceSerializer, valueSerializer, mapKeySerializer, snapshotFilter, cleanupFilter, metaInfo, null);
    }
}
