package dev.cairn.backend.heap;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.InternalKvState;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The heap backend of one operator subtask. */
final class HeapKeyedStateBackend<K> implements KeyedStateBackend<K> {

    private final KeyedBackendParameters<K> params;
    private final KeyGroupRange range;
    private final CopyOnWriteVersions versions = new CopyOnWriteVersions();
    private final KeyGroupDirtyTracker dirty;
    private final Map<String, HeapState> states = new LinkedHashMap<>();
    private final Map<String, InternalKvState<?>> accessors = new ConcurrentHashMap<>();
    private final Map<String, StateMetaInfo> restored = new LinkedHashMap<>();
    private final Map<Long, SnapshotLayout> pendingLayouts = new ConcurrentHashMap<>();
    private volatile SnapshotLayout base;
    private K currentKey;
    private int currentLocalKeyGroup;

    HeapKeyedStateBackend(KeyedBackendParameters<K> params) {
        this.params = params;
        this.range = params.keyGroupRange();
        this.dirty = new KeyGroupDirtyTracker(range.size(), versions);
    }

    KeyedBackendParameters<K> params() {
        return params;
    }

    CopyOnWriteVersions versions() {
        return versions;
    }

    KeyGroupDirtyTracker dirty() {
        return dirty;
    }

    int currentLocalKeyGroup() {
        return currentLocalKeyGroup;
    }

    KeyGroupRange range() {
        return range;
    }

    @Override
    public void setCurrentKey(K key) {
        int kg = KeyGroups.keyGroupIn(key, params.maxParallelism(), range);
        currentKey = key;
        currentLocalKeyGroup = kg - range.start();
    }

    @Override
    public K getCurrentKey() {
        return currentKey;
    }

    @Override
    public Map<String, StateMetaInfo> restoredStates() {
        return Collections.unmodifiableMap(restored);
    }

    /** Called by restore: the state as the snapshot describes it. */
    HeapState restoredState(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
        HeapState s = states.computeIfAbsent(meta.name(),
                n -> new HeapState(n, StateKind.forUserKind(meta.kind()), range.size(), longKeys(), ns));
        // a state the job never registers is written again by the serializers that read it: the metadata says what they write
        StateMetaInfo written = new StateMetaInfo(meta.name(), meta.kind(), SerializerSnapshotRef.of(ns), SerializerSnapshotRef.of(value),
                mapKey == null ? null : SerializerSnapshotRef.of(mapKey), meta.ttl());
        s.useSerializers(written, ns, value, mapKey);
        restored.putIfAbsent(meta.name(), meta);
        return s;
    }

    private boolean longKeys() {
        return params.keySerializer() == (Object) Serializers.LONG;
    }

    void useBase(SnapshotLayout layout) {
        base = layout;
        versions.useBase(layout.version());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> InternalKvState<N> createState(StateSpec spec, SerializerCompatibility compatibility) {
        HeapState s = states.get(spec.name());
        if (s == null) {
            s = new HeapState(spec.name(), spec.kind(), range.size(), longKeys(), spec.namespaceSerializer());
            states.put(spec.name(), s);
        } else if (s.kind != spec.kind()) {
            throw new IllegalStateException("State '" + spec.name() + "' exists as " + s.kind + " state, not " + spec.kind());
        }
        boolean migrate = compatibility == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION && !s.registered;
        s.useSerializers(spec.metaInfo(), spec.namespaceSerializer(), spec.valueSerializer(), spec.mapKeySerializer());
        if (migrate) {
            try {
                s.migrate(s.valueSerializer, versions);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot migrate state '" + spec.name() + "' to " + spec.valueSerializer().describe()
                        + ": " + e.getMessage(), e);
            }
            // and the next snapshot writes every key group whole, in the new serializer
            dirty.rewriteAll();
        }
        s.snapshotFilter = spec.snapshotFilter();
        s.cleanupFilter = spec.cleanupFilter();
        s.registered = true;
        HeapState state = s;
        return (InternalKvState<N>) accessors.computeIfAbsent(spec.name(), n -> switch (state.kind) {
            case VALUE -> new HeapValueState<>(this, state);
            case LIST -> new HeapListState<>(this, state);
            case MAP -> new HeapMapState<>(this, state);
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> Iterable<K> keys(String state, N namespace) {
        HeapState s = states.get(state);
        if (s == null) {
            return List.of();
        }
        List<K> keys = new ArrayList<>();
        for (KeyGroupTable t : s.tables) {
            for (Object tk : t.keys()) {
                if (tk instanceof NamespacedKey nk) {
                    if (nk.namespace().equals(namespace)) {
                        keys.add((K) nk.key());
                    }
                } else if (s.voidNamespace()) {
                    keys.add((K) tk);
                }
            }
        }
        return keys;
    }

    @Override
    public AsyncSnapshot snapshot(SnapshotRequest request) {
        HeapEntries entries = captureEntries();
        if (!request.savepoint()) {
            versions.candidate(request.checkpointId(), entries.version());
        }
        HeapSnapshotWriter writer = new HeapSnapshotWriter(request, entries, dirty.capture(), request.savepoint() ? null : base);
        return new NativeSnapshot(writer, entries, request.savepoint() ? null : layout -> pendingLayouts.put(request.checkpointId(), layout));
    }

    /** The asynchronous part of a native snapshot; closed unrun, it releases the copy-on-write version it pins. */
    private record NativeSnapshot(HeapSnapshotWriter writer, HeapEntries entries, java.util.function.Consumer<SnapshotLayout> written)
            implements AsyncSnapshot, AutoCloseable {
        @Override
        public dev.cairn.spi.snapshot.KeyedStateHandle write() throws java.io.IOException {
            HeapSnapshotWriter.Result result = writer.write();
            if (written != null) {
                written.accept(result.layout());
            }
            return result.handle();
        }

        @Override
        public void close() {
            entries.close();
        }
    }

    @Override
    public HeapEntries captureEntries() {
        return new HeapEntries(range, params.keySerializer(), versions, states.values());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        if (!versions.isCandidate(checkpointId)) {
            // a savepoint, a snapshot the kernel wrote, or a checkpoint a later one already settled: it neither
            // becomes the base nor settles the checkpoints still running (a savepoint does not subsume them)
            return;
        }
        SnapshotLayout layout = pendingLayouts.get(checkpointId);
        if (layout != null) {
            useBase(layout);
        }
        pendingLayouts.keySet().removeIf(id -> id <= checkpointId);
        versions.settled(checkpointId, true);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        pendingLayouts.remove(checkpointId);
        versions.settled(checkpointId, false);
    }

    @Override
    public void close() {
        states.clear();
        accessors.clear();
        pendingLayouts.clear();
    }
}
