package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.SerializerCompatibility;
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
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The off-heap backend of one operator subtask: its states' rows in Chronicle Map files under its working directory. */
final class OffHeapKeyedStateBackend<K> implements KeyedStateBackend<K> {

    private final KeyedBackendParameters<K> params;
    private final KeyGroupRange range;
    private final Path directory;
    private final LocalCopies copies;
    private final Map<String, OffHeapState> states = new LinkedHashMap<>();
    private final Map<String, InternalKvState<?>> accessors = new HashMap<>();
    private final Map<String, StateMetaInfo> restored = new LinkedHashMap<>();
    /** Native checkpoints written, by id; filled from the I/O pool, settled on the task thread. */
    private final Map<Long, PendingCheckpoint> pending = new ConcurrentHashMap<>();
    private OffHeapSnapshotWriter.Layout base;
    private long baseCheckpoint = Long.MIN_VALUE;
    /** Whether stores log their changes: once the backend takes native incremental checkpoints, or restored a base for them. */
    private boolean logChanges;
    private K currentKey;
    private byte[] currentKeyBytes;
    private long keyVersion;
    private int currentLocalKeyGroup;

    /** {@code copies} keeps local copies of the checkpoints for local recovery; null turns it off. */
    OffHeapKeyedStateBackend(KeyedBackendParameters<K> params, LocalCopies copies) throws IOException {
        this.params = params;
        this.copies = copies;
        this.range = params.keyGroupRange();
        // a directory of its own: another backend of this subtask (a cancelled attempt still closing) keeps its files
        this.directory = Files.createTempDirectory(Files.createDirectories(params.workingDirectory()), "offheap-");
    }

    int currentLocalKeyGroup() {
        return currentLocalKeyGroup;
    }

    /** Changes whenever the current key does: accessors cache their row prefix against it. */
    long keyVersion() {
        return keyVersion;
    }

    byte[] currentKeyBytes() {
        if (currentKeyBytes == null) {
            if (currentKey == null) {
                throw new IllegalStateException("State accessed without a current key");
            }
            currentKeyBytes = Rows.serialize(params.keySerializer(), currentKey);
        }
        return currentKeyBytes;
    }

    @Override
    public void setCurrentKey(K key) {
        int kg = KeyGroups.keyGroupIn(key, params.maxParallelism(), range);
        currentKey = key;
        currentKeyBytes = null;
        keyVersion++;
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

    private OffHeapState state(String name, StateKind kind) {
        return states.computeIfAbsent(name, n -> new OffHeapState(n, kind, range, directory, states.size(), logChanges));
    }

    /** Called by restore: the state as the snapshot describes it. */
    OffHeapState restoredState(StateMetaInfo meta, TypeSerializer<?> ns, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
        OffHeapState s = state(meta.name(), StateKind.forUserKind(meta.kind()));
        // a state the job never registers is written again by the serializers that read it: the metadata says what they write
        StateMetaInfo written = new StateMetaInfo(meta.name(), meta.kind(), SerializerSnapshotRef.of(ns), SerializerSnapshotRef.of(value),
                mapKey == null ? null : SerializerSnapshotRef.of(mapKey), meta.ttl());
        s.useSerializers(written, ns, value, mapKey);
        restored.putIfAbsent(meta.name(), meta);
        return s;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> InternalKvState<N> createState(StateSpec spec, SerializerCompatibility compatibility) {
        OffHeapState s = states.get(spec.name());
        if (s == null) {
            s = state(spec.name(), spec.kind());
        } else if (s.kind != spec.kind()) {
            throw new IllegalStateException("State '" + spec.name() + "' exists as " + s.kind + " state, not " + spec.kind());
        }
        TypeSerializer<Object> old = s.valueSerializer;
        boolean migrate = compatibility == SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION && !s.registered && old != null;
        s.useSerializers(spec.metaInfo(), spec.namespaceSerializer(), spec.valueSerializer(), spec.mapKeySerializer());
        if (migrate) {
            try {
                migrate(s, old);
            } catch (RuntimeException e) {
                throw new IllegalStateException("Cannot migrate state '" + spec.name() + "' to " + spec.valueSerializer().describe()
                        + ": " + e.getMessage(), e);
            }
        }
        s.snapshotFilter = spec.snapshotFilter();
        s.cleanupFilter = spec.cleanupFilter();
        s.registered = true;
        OffHeapState state = s;
        return (InternalKvState<N>) accessors.computeIfAbsent(spec.name(), n -> switch (state.kind) {
            case VALUE -> new OffHeapValueState<>(this, state);
            case LIST -> new OffHeapListState<>(this, state);
            case MAP -> new OffHeapMapState<>(this, state);
        });
    }

    /** Rewrites a restored state's values from the serializer that wrote them to the one registered now. */
    private static void migrate(OffHeapState s, TypeSerializer<Object> old) {
        for (KeyGroupStore store : s.stores) {
            store.forEach((row, value) -> {
                if (s.kind == StateKind.LIST) {
                    List<byte[]> elements = new ArrayList<>();
                    for (byte[] e : Rows.elements(value)) {
                        elements.add(Rows.serialize(s.valueSerializer, Rows.deserialize(old, e)));
                    }
                    store.put(row, Rows.join(elements));
                } else if (s.kind == StateKind.VALUE || !OffHeapState.isMapIndex(Rows.parse(row))) {
                    store.put(row, Rows.serialize(s.valueSerializer, Rows.deserialize(old, value)));
                }
            });
            store.changes.stop(); // earlier sections hold the old serializer's bytes: the next checkpoint writes the key group whole
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> Iterable<K> keys(String state, N namespace) {
        OffHeapState s = states.get(state);
        if (s == null) {
            return List.of();
        }
        byte[] wanted = Rows.serialize(s.namespaceSerializer, namespace);
        List<K> keys = new ArrayList<>();
        for (KeyGroupStore store : s.stores) {
            store.forEach((row, value) -> {
                Rows.Parsed p = Rows.parse(row);
                boolean oneRowPerKey = s.kind != StateKind.MAP || OffHeapState.isMapIndex(p);
                if (oneRowPerKey && Arrays.equals(row, p.namespaceStart(), p.prefixLength(), wanted, 0, wanted.length)) {
                    keys.add((K) Rows.deserialize(params.keySerializer(), row, p.keyStart(), p.keyLength()));
                }
            });
        }
        return keys;
    }

    @Override
    public AsyncSnapshot snapshot(SnapshotRequest request) {
        if (!request.savepoint()) {
            logChanges = true; // each store's log starts at this checkpoint, for the next one
        }
        OffHeapEntries entries = captureEntries();
        List<OffHeapState> captured = new ArrayList<>(states.values());
        OffHeapSnapshotWriter.KeyGroupChangeLog[] logs = new OffHeapSnapshotWriter.KeyGroupChangeLog[range.size()];
        long[][] positions = new long[captured.size()][range.size()];
        for (int local = 0; local < logs.length; local++) {
            ChangeLog.Slice[] slices = new ChangeLog.Slice[captured.size()];
            long rows = 0;
            for (int i = 0; i < slices.length; i++) {
                KeyGroupStore store = captured.get(i).stores[local];
                // a savepoint leaves the logs alone: the next checkpoint builds on the last checkpoint, not on it
                slices[i] = request.savepoint() ? null : store.changes.freeze();
                positions[i][local] = slices[i] == null ? 0 : slices[i].position();
                rows += store.size();
            }
            logs[local] = new OffHeapSnapshotWriter.KeyGroupChangeLog(slices, rows);
        }
        OffHeapSnapshotWriter writer = new OffHeapSnapshotWriter(request, entries, logs, request.savepoint() ? null : base, copies);
        for (int local = 0; local < logs.length; local++) {
            if (writer.unchanged(local)) {
                entries.skip(range.start() + local); // no copy-on-write for key groups the checkpoint does not read
            }
        }
        return new NativeSnapshot(writer, entries, request.savepoint() ? null
                : layout -> pending.put(request.checkpointId(), new PendingCheckpoint(layout, captured, positions)));
    }

    /**
     * The asynchronous part of a native snapshot. Closed unrun (the I/O pool refused it, or the
     * snapshot failed before writing), it gives up its captures, which would otherwise keep
     * copying changed rows onto the heap and keep moved maps mapped.
     */
    private record NativeSnapshot(OffHeapSnapshotWriter writer, OffHeapEntries entries,
                                  java.util.function.Consumer<OffHeapSnapshotWriter.Layout> written) implements AsyncSnapshot, AutoCloseable {
        @Override
        public KeyedStateHandle write() throws IOException {
            OffHeapSnapshotWriter.Result result = writer.write();
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

    /** A native checkpoint written and not yet confirmed: its layout, and where each store's log stood at its synchronous part. */
    private record PendingCheckpoint(OffHeapSnapshotWriter.Layout layout, List<OffHeapState> states, long[][] positions) {
    }

    /**
     * The base of the next incremental checkpoint after a restore: the restored snapshot's sections,
     * which hold every restored row, so the stores log from here (key groups restored from
     * elsewhere then stop their logs).
     */
    void useBase(OffHeapSnapshotWriter.Layout layout) {
        base = layout;
        logChanges = true;
        for (OffHeapState s : states.values()) {
            for (KeyGroupStore store : s.stores) {
                store.changes.startAtBase();
            }
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        PendingCheckpoint done = pending.get(checkpointId);
        if (done == null || checkpointId <= baseCheckpoint) {
            // a savepoint, a snapshot the kernel wrote, or a checkpoint a later one already settled
            return;
        }
        List<OffHeapSnapshotWriter.Layout> released = new ArrayList<>();
        if (base != null) {
            released.add(base);
        }
        base = done.layout();
        baseCheckpoint = checkpointId;
        for (int i = 0; i < done.states().size(); i++) {
            KeyGroupStore[] stores = done.states().get(i).stores;
            for (int local = 0; local < stores.length; local++) {
                stores[local].changes.rebase(done.positions()[i][local]);
            }
        }
        pending.entrySet().removeIf(e -> e.getKey() <= checkpointId && released.add(e.getValue().layout()));
        dropCopies(released);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) {
        PendingCheckpoint aborted = pending.remove(checkpointId);
        if (aborted != null) {
            dropCopies(List.of(aborted.layout()));
        }
    }

    /**
     * Deletes the local copies of the files of {@code released} layouts that neither the base nor
     * a written checkpoint references. Only files some layout listed go, so the copy a running
     * checkpoint is writing stays.
     */
    private void dropCopies(List<OffHeapSnapshotWriter.Layout> released) {
        if (copies == null) {
            return;
        }
        Set<String> obsolete = new HashSet<>();
        released.forEach(l -> obsolete.addAll(l.files().keySet()));
        if (base != null) {
            obsolete.removeAll(base.files().keySet());
        }
        pending.values().forEach(p -> obsolete.removeAll(p.layout().files().keySet()));
        copies.delete(obsolete);
    }

    @Override
    public OffHeapEntries captureEntries() {
        return new OffHeapEntries(range, states.values());
    }

    @Override
    public void close() {
        states.values().forEach(OffHeapState::close);
        states.clear();
        accessors.clear();
        pending.clear();
        try {
            deleteRecursively(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete the off-heap state in " + directory, e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
