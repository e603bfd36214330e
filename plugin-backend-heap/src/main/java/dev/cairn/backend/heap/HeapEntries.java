package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The heap state as a snapshot's synchronous part saw it: each state's per-key-group maps of that
 * moment (copy-on-write keeps them unchanged while the task goes on) and the serializers to write
 * them. Closing releases the snapshot's copy-on-write version.
 */
final class HeapEntries implements KeyGroupEntries {

    /** One state's maps as of the synchronous part, with the serializers to write them. */
    private record CapturedState(StateKind kind, StateMetaInfo meta, TypeSerializer<Object> namespaceSerializer,
                                 TypeSerializer<Object> valueSerializer, TypeSerializer<Object> mapKeySerializer,
                                 ElementFilter filter, HashMap<Object, Object>[] maps) {
    }

    private final KeyGroupRange range;
    private final TypeSerializer<Object> keySerializer;
    private final CopyOnWriteVersions versions;
    private final int version;
    private final List<CapturedState> states = new ArrayList<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    private final DataOutputStream out = new DataOutputStream(bytes);
    private boolean closed;

    @SuppressWarnings("unchecked")
    HeapEntries(KeyGroupRange range, TypeSerializer<?> keySerializer, CopyOnWriteVersions versions, Iterable<HeapState> live) {
        this.range = range;
        this.keySerializer = (TypeSerializer<Object>) keySerializer;
        this.versions = versions;
        this.version = versions.startSnapshot();
        for (HeapState s : live) {
            HashMap<Object, Object>[] maps = new HashMap[s.tables.length];
            for (int i = 0; i < maps.length; i++) {
                maps[i] = s.tables[i].map;
            }
            // the serializers as of now: a later registration must not change this snapshot
            states.add(new CapturedState(s.kind, s.meta, s.namespaceSerializer, s.valueSerializer, s.mapKeySerializer, s.snapshotFilter, maps));
        }
    }

    @Override
    public List<StateMetaInfo> states() {
        return states.stream().map(CapturedState::meta).toList();
    }

    /** The copy-on-write version of the moment the view was captured. */
    int version() {
        return version;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return range;
    }

    @Override
    public void read(int keyGroup, StateEntrySink sink) throws IOException {
        int local = keyGroup - range.start();
        for (int i = 0; i < states.size(); i++) {
            CapturedState s = states.get(i);
            for (Map.Entry<Object, Object> e : s.maps()[local].entrySet()) {
                Object value = HeapState.filter(s.kind(), e.getValue(), s.filter(), version);
                if (value != null) {
                    write(i, s, e.getKey(), value, sink);
                }
            }
        }
    }

    private void write(int index, CapturedState s, Object tableKey, Object value, StateEntrySink sink) throws IOException {
        NamespacedKey nk = tableKey instanceof NamespacedKey k ? k : null;
        byte[] key = serialize(keySerializer, nk != null ? nk.key() : tableKey);
        byte[] namespace = serialize(s.namespaceSerializer(), nk != null ? nk.namespace() : VoidNamespace.INSTANCE);
        switch (s.kind()) {
            case VALUE -> sink.accept(index, key, namespace, null, serialize(s.valueSerializer(), value));
            case LIST -> {
                for (Object element : (List<?>) value) {
                    sink.accept(index, key, namespace, null, serialize(s.valueSerializer(), element));
                }
            }
            case MAP -> {
                for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                    sink.accept(index, key, namespace, serialize(s.mapKeySerializer(), entry.getKey()),
                            serialize(s.valueSerializer(), entry.getValue()));
                }
            }
        }
    }

    private byte[] serialize(TypeSerializer<Object> serializer, Object value) throws IOException {
        bytes.reset();
        serializer.serialize(value, out);
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            versions.releaseSnapshot(version);
        }
    }
}
