package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the key groups of this backend's range from the handles of the old subtasks (any
 * parallelism), with the serializers the snapshot recorded. Only the needed sections are read.
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
        TypeSerializer<Object> keySerializer = (TypeSerializer<Object>) params.keySerializer();
        Map<Integer, KeyGroupSection> baseSections = new LinkedHashMap<>();
        Map<String, FileRef> baseFiles = new HashMap<>();
        for (KeyedStateHandle handle : params.restore().handles()) {
            if (!HeapStateBackend.NAME.equals(handle.backend())) {
                throw new IOException("Snapshot state of operator '" + params.operatorUid() + "' was written by backend '"
                        + handle.backend() + "'; the heap backend reads only its own native format (use a canonical savepoint to switch backends)");
            }
            Map<String, HeapState> states = new HashMap<>();
            for (StateMetaInfo meta : handle.states()) {
                states.put(meta.name(), backend.restoredState(meta, restore(meta.namespaceSerializer(), meta),
                        restore(meta.valueSerializer(), meta), meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta)));
            }
            for (KeyGroupSection section : handle.sections()) {
                if (!range.contains(section.keyGroup())) {
                    continue;
                }
                byte[] bytes = params.restore().reader().readSection(section);
                try {
                    readSection(new DataInputStream(new ByteArrayInputStream(bytes)), states, section.keyGroup() - range.start(), keySerializer);
                } catch (IOException | RuntimeException e) {
                    throw new CorruptSnapshotException(section.path(), "key group " + section.keyGroup()
                            + " passed its checksum but cannot be read with the recorded serializers: " + e, e);
                }
                baseSections.put(section.keyGroup(), section);
            }
            handle.files().forEach(f -> baseFiles.put(f.path(), f));
        }
        if (params.restore().baseReusable()) {
            backend.useBase(new SnapshotLayout(0, baseSections, baseFiles));
        }
    }

    private void readSection(DataInputStream in, Map<String, HeapState> states, int local, TypeSerializer<Object> keySerializer)
            throws IOException {
        while (in.readBoolean()) {
            String name = in.readUTF();
            HeapState s = states.get(name);
            if (s == null) {
                throw new IOException("section holds state '" + name + "', which the handle does not describe");
            }
            Map<Object, Object> table = s.tables[local].map;
            while (in.readBoolean()) {
                HeapEntryCodec.readEntry(in, s, keySerializer, table, 0);
            }
        }
    }

    private TypeSerializer<?> restore(SerializerSnapshotRef ref, StateMetaInfo meta) throws IOException {
        return ref.restoreSerializer(meta.name(), params.operatorUid(), HeapRestoreOperation.class.getClassLoader(),
                TypeSerializer.class.getClassLoader(), params.userClassLoader());
    }
}
