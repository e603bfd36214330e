package dev.cairn.backend.heap;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.InPlaceEntrySink;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the per-key-group tables of this backend's range from the entries the kernel reads out
 * of the snapshot (any backend's, any format, any key-group count), several key groups at once
 * when every serializer may be shared between threads: each key group has tables of its own.
 */
final class HeapRestoreOperation<K> {
    private final HeapKeyedStateBackend<K> backend;
    private final KeyedBackendParameters<K> params;

    HeapRestoreOperation(HeapKeyedStateBackend<K> backend, KeyedBackendParameters<K> params) {
        this.backend = backend;
        this.params = params;
    }

    @SuppressWarnings("unchecked")
    void restore() throws IOException {
        KeyGroupRange range = params.keyGroupRange();
        List<String> restoredNames;
        try (KeyGroupEntries entries = params.restore().entries()) {
            restoredNames = entries.states().stream().map(StateMetaInfo::name).toList();
            List<HeapState> states = new ArrayList<>();
            boolean shareable = params.keySerializer().isStateless();
            TypeSerializer<Object> keySerializer = (TypeSerializer<Object>) params.keySerializer();
            boolean[] inBytes = new boolean[entries.states().size()];
            for (StateMetaInfo meta : entries.states()) {
                HeapState s = backend.restoredState(meta, restore(meta.namespaceSerializer(), meta), restore(meta.valueSerializer(), meta),
                        meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta));
                rewritten |= !s.meta.equals(meta);
                // values stay in their bytes where any thread may read them and a snapshot may write the bytes as they are
                inBytes[states.size()] = s.kind == StateKind.VALUE && s.tables.length > 0 && s.tables[0] instanceof LongKeyGroupTable
                        && s.voidNamespace() && keySerializer == (Object) Serializers.LONG && s.valueSerializer.isStateless()
                        && s.meta.equals(meta);
                states.add(s);
                shareable &= s.namespaceSerializer.isStateless() && s.valueSerializer.isStateless()
                        && (s.mapKeySerializer == null || s.mapKeySerializer.isStateless());
            }
            int threads = shareable ? Math.min(range.size(), Runtime.getRuntime().availableProcessors()) : 1;
            if (threads <= 1) {
                fillKeyGroups(entries, states, inBytes, keySerializer, range, new AtomicInteger(range.start()));
            } else {
                readInParallel(entries, states, inBytes, keySerializer, range, threads);
            }
        }
        if (params.restore().baseReusable()) {
            backend.useBase(baseLayout(restoredNames));
        }
        if (rewritten) {
            // a state is written in another form than the snapshot's (a serializer that resolves old values): no old section may be reused
            backend.dirty().rewriteAll();
        }
    }

    /** Whether a restored state's serializers write other bytes than those they read. */
    private boolean rewritten;

    private static void readInParallel(KeyGroupEntries entries, List<HeapState> states, boolean[] inBytes, TypeSerializer<Object> keySerializer,
                                       KeyGroupRange range, int threads) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cairn-heap-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> reads = new ArrayList<>();
            AtomicInteger next = new AtomicInteger(range.start());
            for (int i = 0; i < threads; i++) {
                reads.add(pool.submit(() -> {
                    fillKeyGroups(entries, states, inBytes, keySerializer, range, next);
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while restoring key groups " + range, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Fills key groups, each the next one no other thread took, with one filler and its buffers. */
    private static void fillKeyGroups(KeyGroupEntries entries, List<HeapState> states, boolean[] inBytes, TypeSerializer<Object> keySerializer,
                                      KeyGroupRange range, AtomicInteger next) throws IOException {
        KeyGroupFiller filler = new KeyGroupFiller(states, inBytes, keySerializer);
        for (int kg = next.getAndIncrement(); kg <= range.end(); kg = next.getAndIncrement()) {
            filler.fill(entries, kg, kg - range.start());
        }
    }

    /**
     * Where this backend's key groups lie in the snapshot: the base of its next incremental
     * checkpoint. A section names its states by their place in its handle's list, so only sections
     * whose handle lists the states as this backend now does (a prefix of {@code restoredNames})
     * in the kernel's own format are reused; the key groups of any other are written anew.
     */
    private SnapshotLayout baseLayout(List<String> restoredNames) {
        Map<Integer, List<KeyGroupSection>> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new HashMap<>();
        KeyGroupRange range = params.keyGroupRange();
        for (KeyedStateHandle h : params.restore().handles()) {
            if (!(h instanceof KeyGroupSectionsHandle handle)) {
                continue;
            }
            List<String> names = handle.states().stream().map(StateMetaInfo::name).toList();
            boolean reusable = handle.format().equals(SnapshotFormat.FULL) && names.size() <= restoredNames.size()
                    && restoredNames.subList(0, names.size()).equals(names);
            for (KeyGroupSection s : handle.sections()) {
                if (!range.contains(s.keyGroup())) {
                    continue;
                }
                if (reusable) {
                    sections.computeIfAbsent(s.keyGroup(), kg -> new ArrayList<>()).add(s); // its whole section, then its deltas
                } else {
                    backend.dirty().touch(s.keyGroup() - range.start());
                }
            }
            if (reusable) {
                handle.files().forEach(f -> files.put(f.path(), f));
            }
        }
        return new SnapshotLayout(0, sections, files);
    }

    private TypeSerializer<?> restore(SerializerSnapshotRef ref, StateMetaInfo meta) throws IOException {
        return ref.restoreSerializer(meta.name(), params.operatorUid(), HeapRestoreOperation.class.getClassLoader(),
                TypeSerializer.class.getClassLoader(), params.userClassLoader());
    }

    /**
     * Puts the entries of one key group into its tables: values replace, list elements append, map
     * entries add. The values of {@code Long}-keyed value states stay in their bytes (see {@link
     * SerializedValues}): in the section the kernel read when it hands entries in place, else in
     * copies.
     */
    private static final class KeyGroupFiller implements InPlaceEntrySink {
        private final List<HeapState> states;
        private final TypeSerializer<Object> keySerializer;
        private int local;
        // one input pointed at each part in turn: a stream per value would be most of the garbage
        private final ByteArrayDataInput input = new ByteArrayDataInput();
        /** Per state, its values in the key group being read, or null when they are deserialized at once. */
        private final SerializedBatch[] serializedValues;

        KeyGroupFiller(List<HeapState> states, boolean[] inBytes, TypeSerializer<Object> keySerializer) {
            this.states = states;
            this.keySerializer = keySerializer;
            this.serializedValues = new SerializedBatch[states.size()];
            for (int i = 0; i < serializedValues.length; i++) {
                HeapState s = states.get(i);
                serializedValues[i] = inBytes[i] ? new SerializedBatch(s.name, s.valueSerializer, s.meta.valueSerializer()) : null;
            }
        }

        /** Reads key group {@code keyGroup} into the tables at {@code local}. */
        void fill(KeyGroupEntries entries, int keyGroup, int local) throws IOException {
            this.local = local;
            for (SerializedBatch batch : serializedValues) {
                if (batch != null) {
                    batch.start();
                }
            }
            entries.read(keyGroup, this);
            for (int state = 0; state < serializedValues.length; state++) {
                SerializedBatch batch = serializedValues[state];
                if (batch != null && batch.count > 0) {
                    ((LongKeyGroupTable) states.get(state).tables[local]).putAllRestoredSerialized(batch.values(), batch.keys, batch.at,
                            batch.count);
                }
            }
        }

        @Override
        public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) throws IOException {
            accept(state, StateEntrySink.joined(key, namespace, mapKey, value), key.length, namespace.length,
                    mapKey == null ? -1 : mapKey.length, value.length);
        }

        @Override
        public void accept(int state, byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) throws IOException {
            int mapKeyOffset = keyLength + namespaceLength;
            put(state, parts, false, 0, keyLength, keyLength, namespaceLength, mapKeyLength < 0 ? -1 : mapKeyOffset, mapKeyLength,
                    mapKeyOffset + Math.max(mapKeyLength, 0), valueLength);
        }

        @Override
        public void acceptInPlace(int state, byte[] section, int keyOffset, int keyLength, int namespaceOffset, int namespaceLength,
                                  int mapKeyOffset, int mapKeyLength, int valueOffset, int valueLength) throws IOException {
            put(state, section, true, keyOffset, keyLength, namespaceOffset, namespaceLength, mapKeyOffset, mapKeyLength, valueOffset,
                    valueLength);
        }

        /** {@code kept}: nothing changes {@code bytes} any more, so values may stay in it. */
        private void put(int state, byte[] bytes, boolean kept, int keyOffset, int keyLength, int namespaceOffset, int namespaceLength,
                         int mapKeyOffset, int mapKeyLength, int valueOffset, int valueLength) throws IOException {
            HeapState s = states.get(state);
            SerializedBatch batch = serializedValues[state];
            if (batch != null) {
                batch.add(input.over(bytes, keyOffset, keyLength).readLong(), bytes, kept, valueOffset, valueLength);
                return;
            }
            Object k = keySerializer.deserialize(input.over(bytes, keyOffset, keyLength));
            Object tableKey = s.voidNamespace() ? k : new NamespacedKey(k, s.namespaceSerializer.deserialize(input.over(bytes, namespaceOffset,
                    namespaceLength)));
            KeyGroupTable table = s.tables[local];
            Object v = s.valueSerializer.deserialize(input.over(bytes, valueOffset, valueLength));
            switch (s.kind) {
                case VALUE -> table.putRestored(tableKey, v);
                case LIST -> {
                    VersionedList list = (VersionedList) table.get(tableKey);
                    if (list == null) {
                        list = new VersionedList(0, List.of());
                        table.putRestored(tableKey, list);
                    }
                    list.add(v);
                }
                case MAP -> {
                    VersionedMap map = (VersionedMap) table.get(tableKey);
                    if (map == null) {
                        map = new VersionedMap(0, Map.of());
                        table.putRestored(tableKey, map);
                    }
                    map.put(s.mapKeySerializer.deserialize(input.over(bytes, mapKeyOffset, mapKeyLength)), v);
                }
            }
        }
    }
}
