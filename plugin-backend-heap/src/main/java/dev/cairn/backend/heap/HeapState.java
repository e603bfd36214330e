package dev.cairn.backend.heap;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One state of a heap backend: a table per key group of the backend's range, the serializers
 * it is written with, and its TTL filters. Created by registration or by restore (then it keeps
 * the restored serializers until the job registers it).
 */
final class HeapState {
    final String name;
    final StateKind kind;
    final KeyGroupTable[] tables;
    StateMetaInfo meta;
    TypeSerializer<Object> namespaceSerializer;
    TypeSerializer<Object> valueSerializer;
    TypeSerializer<Object> mapKeySerializer;
    ElementFilter snapshotFilter;
    ElementFilter cleanupFilter;
    boolean registered;

    // incremental cleanup cursor: a snapshot of one key group's keys, walked a few at a time
    private int cleanupKeyGroup;
    private Object[] cleanupKeys = new Object[0];
    private int cleanupPosition;

    /** {@code longKeys}: the backend's keys are {@code Long}s; with no namespace, the tables then store them unboxed. */
    HeapState(String name, StateKind kind, int keyGroups, boolean longKeys, TypeSerializer<?> namespaceSerializer) {
        this.name = name;
        this.kind = kind;
        this.tables = new KeyGroupTable[keyGroups];
        boolean unboxed = longKeys && namespaceSerializer == (Object) Serializers.VOID_NAMESPACE;
        for (int i = 0; i < keyGroups; i++) {
            tables[i] = KeyGroupTable.forKeys(unboxed);
        }
    }

    @SuppressWarnings("unchecked")
    void useSerializers(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
        this.meta = meta;
        this.namespaceSerializer = (TypeSerializer<Object>) ns;
        this.valueSerializer = (TypeSerializer<Object>) value;
        this.mapKeySerializer = (TypeSerializer<Object>) mapKey;
        if (!voidNamespace() && tables.length > 0 && tables[0] instanceof LongKeyGroupTable) {
            // restored without a namespace, registered with one: only a chained table holds the namespaced keys to come
            for (int i = 0; i < tables.length; i++) {
                KeyGroupTable chained = KeyGroupTable.forKeys(false);
                for (Object key : tables[i].keys()) {
                    chained.putRestored(key, tables[i].get(key));
                }
                tables[i] = chained;
            }
        }
    }

    boolean voidNamespace() {
        return namespaceSerializer == (Object) Serializers.VOID_NAMESPACE;
    }

    /** Drops expired elements of a stored value; {@code null} when nothing is left. */
    static Object filter(StateKind kind, Object value, ElementFilter filter, int version) {
        if (filter == null) {
            return value;
        }
        switch (kind) {
            case VALUE:
                return filter.keep(value) ? value : null;
            case LIST: {
                List<?> list = (List<?>) value;
                if (list.stream().allMatch(filter::keep)) {
                    return value;
                }
                VersionedList kept = new VersionedList(version, list.stream().filter(filter::keep).toList());
                return kept.isEmpty() ? null : kept;
            }
            default: {
                Map<?, ?> map = (Map<?, ?>) value;
                if (map.values().stream().allMatch(filter::keep)) {
                    return value;
                }
                Map<Object, Object> kept = new HashMap<>();
                map.forEach((k, v) -> {
                    if (filter.keep(v)) {
                        kept.put(k, v);
                    }
                });
                return kept.isEmpty() ? null : new VersionedMap(version, kept);
            }
        }
    }

    /**
     * Puts every stored value through {@code now} (written, then read back): restored objects take
     * the form the new serializer gives them (a generic Avro record its new schema), as they would
     * have from a backend that stores bytes.
     */
    void migrate(TypeSerializer<Object> now, CopyOnWriteVersions versions) throws java.io.IOException {
        for (KeyGroupTable table : tables) {
            for (Object key : table.keys()) {
                Object value = table.get(key);
                Object migrated = switch (kind) {
                    case VALUE -> roundTrip(now, value);
                    case LIST -> {
                        List<Object> elements = new java.util.ArrayList<>();
                        for (Object e : (List<?>) value) {
                            elements.add(roundTrip(now, e));
                        }
                        yield new VersionedList(versions.current(), elements);
                    }
                    case MAP -> {
                        Map<Object, Object> entries = new HashMap<>();
                        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                            entries.put(e.getKey(), roundTrip(now, e.getValue()));
                        }
                        yield new VersionedMap(versions.current(), entries);
                    }
                };
                table.put(key, migrated, versions);
            }
        }
    }

    /** Classes whose objects never change: a snapshot and the task may share them. */
    private static final java.util.Set<Class<?>> IMMUTABLE = java.util.Set.of(String.class, Long.class, Integer.class,
            Short.class, Byte.class, Character.class, Boolean.class, Double.class, Float.class, java.math.BigInteger.class,
            java.math.BigDecimal.class, java.time.Instant.class, java.time.LocalDate.class, java.time.LocalDateTime.class,
            java.time.Duration.class, java.util.UUID.class);

    /** Whether the task may change {@code value} in place: any object but those of the JDK's value classes and enums. */
    static boolean mutable(Object value) {
        return value != null && !IMMUTABLE.contains(value.getClass()) && !(value instanceof Enum);
    }

    /**
     * A copy of a stored user object (a value, an element, a map value) that the task may change in
     * place while a snapshot writes the original: as Flink's heap backend, through the state's
     * serializer. Objects that cannot change are their own copy.
     */
    Object ownCopy(Object value) {
        if (!mutable(value)) {
            return value;
        }
        try {
            if (valueSerializer.isStateless()) {
                return roundTrip(valueSerializer, value);
            }
            synchronized (valueSerializer) { // the snapshot writes with it on another thread: see serializeValue
                return roundTrip(valueSerializer, value);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Could not copy a value of state '" + name + "' with " + valueSerializer.describe()
                    + " for the task while a snapshot writes it", e);
        }
    }

    /**
     * Writes a value for a snapshot. A serializer that is not stateless may be copying a value for the
     * task at the same time ({@link #ownCopy}): the two take turns.
     */
    static void serializeValue(TypeSerializer<Object> serializer, Object value, java.io.DataOutput out)
            throws java.io.IOException {
        if (serializer.isStateless()) {
            serializer.serialize(value, out);
        } else {
            synchronized (serializer) {
                serializer.serialize(value, out);
            }
        }
    }

    private static Object roundTrip(TypeSerializer<Object> serializer, Object value) throws java.io.IOException {
        if (value == null) {
            return null;
        }
        dev.cairn.api.serialization.ByteArrayDataOutput out = new dev.cairn.api.serialization.ByteArrayDataOutput(64);
        serializer.serialize(value, out);
        return serializer.deserialize(new dev.cairn.api.serialization.ByteArrayDataInput().over(out.buffer(), 0, out.length()));
    }

    /** Checks up to {@code entries} entries against the cleanup filter, resuming where the last call stopped. */
    void cleanupSome(int entries, CopyOnWriteVersions versions, KeyGroupDirtyTracker dirty) {
        if (cleanupFilter == null) {
            return;
        }
        for (int checked = 0; checked < entries; ) {
            if (cleanupPosition >= cleanupKeys.length) {
                cleanupKeyGroup = (cleanupKeyGroup + 1) % tables.length;
                cleanupKeys = tables[cleanupKeyGroup].keys();
                cleanupPosition = 0;
                if (cleanupKeys.length == 0) {
                    checked++; // an empty key group counts, so an empty state ends the loop
                    continue;
                }
            }
            Object key = cleanupKeys[cleanupPosition++];
            checked++;
            KeyGroupTable table = tables[cleanupKeyGroup];
            Object value = table.get(key);
            if (value == null) {
                continue;
            }
            // what is kept keeps its objects, which a running snapshot may write: so the version of the original
            Object kept = filter(kind, value, cleanupFilter, value instanceof VersionedList l ? l.version
                    : value instanceof VersionedMap m ? m.version : versions.current());
            if (kept != value) {
                dirty.touch(cleanupKeyGroup);
                if (kept == null) {
                    table.remove(key, versions);
                } else {
                    table.put(key, kept, versions);
                }
            }
        }
    }
}
