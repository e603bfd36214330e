package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.StateMetaInfo;
import org.rocksdb.ColumnFamilyHandle;

/** One registered state: its column family and the serializers its bytes are written with. */
final class RocksState {
    final String name;
    final StateKind kind;
    final ColumnFamilyHandle columnFamily;
    StateMetaInfo meta;
    TypeSerializer<Object> namespaceSerializer;
    TypeSerializer<Object> valueSerializer;
    TypeSerializer<Object> mapKeySerializer;
    ElementFilter snapshotFilter;
    ElementFilter cleanupFilter;
    /** Registered by the job in this run (not only known from a restored snapshot). */
    boolean registered;
    /** Where incremental TTL cleanup goes on, as a row key; {@code null} at the start. */
    byte[] cleanupCursor;

    RocksState(String name, StateKind kind, ColumnFamilyHandle columnFamily) {
        this.name = name;
        this.kind = kind;
        this.columnFamily = columnFamily;
    }

    @SuppressWarnings("unchecked")
    void useSerializers(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
        this.meta = meta;
        this.namespaceSerializer = (TypeSerializer<Object>) ns;
        this.valueSerializer = (TypeSerializer<Object>) value;
        this.mapKeySerializer = (TypeSerializer<Object>) mapKey;
    }

    boolean voidNamespace() {
        return namespaceSerializer == (Object) Serializers.VOID_NAMESPACE;
    }

    /**
     * What of a stored row {@code filter} keeps: the same bytes, fewer list elements, or
     * {@code null} when nothing is left. Map rows hold one user value each.
     */
    byte[] filter(byte[] value, ElementFilter filter) {
        if (filter == null) {
            return value;
        }
        if (kind != StateKind.LIST) {
            return filter.keep(Bytes.deserialize(valueSerializer, value)) ? value : null;
        }
        var elements = Bytes.listElements(value);
        var kept = elements.stream().filter(e -> filter.keep(Bytes.deserialize(valueSerializer, e))).toList();
        if (kept.size() == elements.size()) {
            return value;
        }
        return kept.isEmpty() ? null : Bytes.joinElements(kept);
    }
}
