package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.InternalKvState;
import dev.cairn.spi.backend.InternalListState;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.InternalValueState;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.backend.TimerIndex;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changelog over one subtask's wrapped backend. Every write goes to the wrapped backend and
 * to the log; a checkpoint references the last materialisation and the log since, so it costs
 * the log's tail, not the state's size. The wrapped backend is materialised in the background
 * ({@link Materializations}); a restore restores the materialisation with the wrapped backend
 * and replays the log ({@link ChangeReplay}). Used by one task thread, like the backend it wraps.
 */
final class ChangelogKeyedStateBackend<K> implements KeyedStateBackend<K>, LoggedState.LogWriter {
    private final KeyedStateBackend<K> inner;
    private final String innerName;
    private final KeyedBackendParameters<K> params;
    private final ChangeLog log;
    private final Materializations materializations;
    private final List<String> stateNames;
    private final Map<String, StateSpec> specs = new LinkedHashMap<>();
    private final Map<String, InternalKvState<?>> accessors = new HashMap<>();
    private final ChangeReplay replay;
    private final Map<String, StateMetaInfo> restoredMetas;
    private final ByteArrayDataOutput keyBytes = new ByteArrayDataOutput(32);
    private boolean keyBytesCurrent;
    private int keyGroup;
    private ByteArrayDataOutput recording;
    private int recordStart;

    ChangelogKeyedStateBackend(KeyedStateBackend<K> inner, String innerName, KeyedBackendParameters<K> params, ChangeLog log,
                               Materializations materializations, ChangeReplay replay, Map<String, StateMetaInfo> restoredMetas,
                               List<String> stateNames) {
        this.stateNames = stateNames;
        this.inner = inner;
        this.innerName = innerName;
        this.params = params;
        this.log = log;
        this.materializations = materializations;
        this.replay = replay;
        this.restoredMetas = restoredMetas;
    }

    @Override
    public void setCurrentKey(K key) {
        inner.setCurrentKey(key);
        keyGroup = KeyGroups.keyGroupIn(key, params.maxParallelism(), params.keyGroupRange());
        keyBytesCurrent = false;
    }

    @Override
    public K getCurrentKey() {
        return inner.getCurrentKey();
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <N> InternalKvState<N> createState(StateSpec spec, SerializerCompatibility compatibility) throws Exception {
        InternalKvState<N> existing = (InternalKvState<N>) accessors.get(spec.name());
        InternalKvState<N> raw = inner.createState(spec, compatibility);
        if (replay != null) {
            replay.apply(spec.name(), raw, inner, params.keySerializer(), loaders());
        }
        if (compatibility == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION) {
            // the log must not mix records of two serializers: the next checkpoint materialises
            materializations.requireBeforeNextCheckpoint();
        }
        specs.put(spec.name(), spec);
        if (log == null) {
            return raw; // nothing is logged: every checkpoint materialises
        }
        if (existing != null && ((LoggedState) existing).inner == raw) {
            return existing;
        }
        int index = stateNames.indexOf(spec.name());
        if (index < 0) {
            stateNames.add(spec.name());
            index = stateNames.size() - 1;
        }
        TypeSerializer ns = spec.namespaceSerializer();
        InternalKvState<N> logged = switch (spec.kind()) {
            case VALUE -> new LoggedValueState<>((InternalValueState) raw, this, index, ns, spec.valueSerializer());
            case LIST -> new LoggedListState<>((InternalListState) raw, this, index, ns, spec.valueSerializer());
            case MAP -> new LoggedMapState<>((InternalMapState) raw, this, index, ns, spec.mapKeySerializer(), spec.valueSerializer());
        };
        accessors.put(spec.name(), logged);
        return logged;
    }

    private ClassLoader[] loaders() {
        return new ClassLoader[] {getClass().getClassLoader(), TypeSerializer.class.getClassLoader(), params.userClassLoader()};
    }

    /** States the restored log changed that no operator registered yet: applied before the first snapshot, with their logged schema. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void replayUnregistered() throws Exception {
        if (replay == null) {
            return;
        }
        for (String name : replay.pending()) {
            StateMetaInfo meta = replay.meta(name);
            if (meta == null) {
                throw new IOException("The restored log has changes of state '" + name + "' but no schema for it");
            }
            ClassLoader[] loaders = loaders();
            TypeSerializer ns = meta.namespaceSerializer().restoreSerializer(name, params.operatorUid(), loaders);
            TypeSerializer value = meta.valueSerializer().restoreSerializer(name, params.operatorUid(), loaders);
            TypeSerializer mapKey = meta.mapKeySerializer() == null ? null : meta.mapKeySerializer().restoreSerializer(name, params.operatorUid(), loaders);
            StateSpec spec = new StateSpec(name, StateKind.forUserKind(meta.kind()), ns, value, mapKey, null, null, meta);
            InternalKvState<?> raw = inner.createState(spec, SerializerCompatibility.COMPATIBLE_AS_IS);
            replay.apply(name, raw, inner, params.keySerializer(), loaders);
        }
    }

    @Override
    public Map<String, StateMetaInfo> restoredStates() {
        Map<String, StateMetaInfo> all = new LinkedHashMap<>(inner.restoredStates());
        restoredMetas.forEach(all::putIfAbsent);
        return all;
    }

    @Override
    public TimerIndex<K> timerIndex(String state) throws Exception {
        // derived from the timer state, which the log holds: the index itself needs no logging
        return inner.timerIndex(state);
    }

    @Override
    public <N> Iterable<K> keys(String state, N namespace) {
        return inner.keys(state, namespace);
    }

    // ---- the log

    @Override
    public ByteArrayDataOutput begin(byte op, int state, byte[] namespace) {
        if (!keyBytesCurrent) {
            keyBytes.truncate(0);
            try {
                params.keySerializer().serialize(inner.getCurrentKey(), keyBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            keyBytesCurrent = true;
        }
        dropUnfinishedRecord();
        recording = log.begin(keyGroup);
        recordStart = recording.length();
        recording.write(op);
        ChangeRecords.writeVarInt(recording, state);
        ChangeRecords.writeBytes(recording, keyBytes.buffer(), 0, keyBytes.length());
        ChangeRecords.writeBytes(recording, namespace, 0, namespace.length);
        return recording;
    }

    /** The record begun last never ended (a serializer threw): it is not logged. */
    private void dropUnfinishedRecord() {
        if (recording != null) {
            recording.truncate(recordStart);
            recording = null;
        }
    }

    @Override
    public void end() {
        int length = recording.length() - recordStart;
        recording = null;
        log.appended(length);
    }

    // ---- snapshots

    @Override
    public AsyncSnapshot snapshot(SnapshotRequest request) throws Exception {
        replayUnregistered();
        if (request.savepoint()) {
            return inner.snapshot(request); // self-contained: the wrapped backend's own, which holds every change
        }
        dropUnfinishedRecord(); // before the log is cut
        List<StateMetaInfo> states = states(); // on the task thread: registrations go on while the handle is written
        return materializations.checkpoint(request, (base, changes, changeFiles) ->
                new ChangelogHandle(innerName, params.keyGroupRange(), states, base, changes, changeFiles));
    }

    /** The states a checkpoint's handle names: those registered, then those restored and not registered again. */
    private List<StateMetaInfo> states() {
        Set<String> names = new LinkedHashSet<>();
        List<StateMetaInfo> states = new ArrayList<>();
        for (StateSpec spec : specs.values()) {
            names.add(spec.name());
            states.add(spec.metaInfo());
        }
        restoredStates().forEach((name, meta) -> {
            if (names.add(name)) {
                states.add(meta);
            }
        });
        return states;
    }

    /** For tests: waits for the background materialisation running now. */
    void awaitMaterialization() throws InterruptedException {
        materializations.awaitRunning();
    }

    @Override
    public KeyGroupEntries captureEntries() throws Exception {
        replayUnregistered();
        return inner.captureEntries();
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        materializations.checkpointCompleted(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        materializations.checkpointAborted(checkpointId);
    }

    @Override
    public void close() {
        try {
            materializations.close();
            if (log != null) {
                log.close();
            }
        } finally {
            inner.close();
        }
    }
}
