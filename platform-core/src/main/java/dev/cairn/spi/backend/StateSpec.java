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
 */
public record StateSpec(String name, StateKind kind, TypeSerializer<?> namespaceSerializer,
                        TypeSerializer<?> valueSerializer, TypeSerializer<?> mapKeySerializer,
                        ElementFilter snapshotFilter, ElementFilter cleanupFilter, StateMetaInfo metaInfo) {
}
