package dev.cairn.backend.heap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The asynchronous part of a heap snapshot: writes what the synchronous part captured (the
 * per-key-group maps as they were then; copy-on-write keeps them unchanged) into one file, a
 * checksummed section per key group. Incremental snapshots write only the key groups changed
 * since their base and reference the base's sections for the rest.
 */
final class HeapSnapshotWriter {

    /** One state's maps as of the synchronous part, with the serializers to write them. */
    record CapturedState(String name, StateKind kind, StateMetaInfo meta, HeapState serializers,
                         ElementFilter filter, HashMap<Object, Object>[] maps) {
    }

    record Result(KeyedStateHandle handle, SnapshotLayout layout) {
    }

    @SuppressWarnings("unchecked")
    static CapturedState capture(HeapState s) {
        HashMap<Object, Object>[] maps = new HashMap[s.tables.length];
        for (int i = 0; i < maps.length; i++) {
            maps[i] = s.tables[i].map;
        }
        // serializers are captured by reference to a frozen copy: a later registration must not change this snapshot
        HeapState frozen = new HeapState(s.name, s.kind, 0, 0);
        frozen.useSerializers(s.meta, s.namespaceSerializer, s.valueSerializer, s.mapKeySerializer);
        return new CapturedState(s.name, s.kind, s.meta, frozen, s.snapshotFilter, maps);
    }

    private final HeapKeyedStateBackend<?> backend;
    private final SnapshotRequest request;
    private final int version;
    private final List<CapturedState> states;
    private final int[] lastChange;
    private final SnapshotLayout base;

    HeapSnapshotWriter(HeapKeyedStateBackend<?> backend, SnapshotRequest request, int version, List<CapturedState> states,
                       int[] lastChange, SnapshotLayout base) {
        this.backend = backend;
        this.request = request;
        this.version = version;
        this.states = states;
        this.lastChange = lastChange;
        this.base = base;
    }

    @SuppressWarnings("unchecked")
    Result write() throws IOException {
        int start = backend.range().start();
        TypeSerializer<Object> keySerializer = (TypeSerializer<Object>) backend.params().keySerializer();
        Map<Integer, KeyGroupSection> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new LinkedHashMap<>();
        List<KeyGroupSection> written = new ArrayList<>();
        SnapshotOutput out = null;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
        DataOutputStream data = new DataOutputStream(buffer);
        boolean committed = false;
        try {
            for (int local = 0; local < lastChange.length; local++) {
                int kg = start + local;
                if (base != null && lastChange[local] <= base.version()) {
                    KeyGroupSection reused = base.sections().get(kg);
                    if (reused != null) {
                        sections.put(kg, reused);
                        files.put(reused.path(), base.files().get(reused.path()));
                    }
                    continue;
                }
                buffer.reset();
                if (!writeSection(data, local, keySerializer)) {
                    continue;
                }
                if (out == null) {
                    out = request.incremental() && !request.savepoint()
                            ? request.streams().createShared("heap-keyed-" + request.checkpointId() + ".bin")
                            : request.streams().createOwned("heap-keyed.bin");
                }
                out.beginSection();
                buffer.writeTo(out);
                KeyGroupSection section = out.endSection(kg);
                sections.put(kg, section);
                written.add(section);
            }
            if (out != null) {
                FileRef file = out.closeAndGetRef();
                files.put(file.path(), file);
            }
            committed = true;
        } finally {
            if (!committed && out != null) {
                out.close(); // discards the partial file
            }
        }
        List<StateMetaInfo> metas = states.stream().map(CapturedState::meta).toList();
        String format = base != null || (request.incremental() && !request.savepoint()) ? "incremental" : "full";
        KeyedStateHandle handle = new KeyedStateHandle(HeapStateBackend.NAME, format, backend.range(), metas,
                new ArrayList<>(sections.values()), new ArrayList<>(files.values()),
                Map.of("keyGroupsWritten", Integer.toString(written.size()),
                        "keyGroupsReused", Integer.toString(sections.size() - written.size())));
        return new Result(handle, new SnapshotLayout(version, sections, files));
    }

    /** Writes one key group of every state; false when the key group holds nothing. */
    private boolean writeSection(DataOutputStream data, int local, TypeSerializer<Object> keySerializer) throws IOException {
        boolean any = false;
        for (CapturedState s : states) {
            HashMap<Object, Object> map = s.maps()[local];
            if (map.isEmpty()) {
                continue;
            }
            boolean stateStarted = false;
            for (Map.Entry<Object, Object> e : map.entrySet()) {
                Object value = HeapState.filter(s.kind(), e.getValue(), s.filter(), version);
                if (value == null) {
                    continue;
                }
                if (!stateStarted) {
                    data.writeBoolean(true);
                    data.writeUTF(s.name());
                    stateStarted = true;
                }
                HeapEntryCodec.writeEntry(data, s.serializers(), keySerializer, e.getKey(), value);
            }
            if (stateStarted) {
                data.writeBoolean(false);
                any = true;
            }
        }
        if (any) {
            data.writeBoolean(false);
        }
        data.flush();
        return any;
    }
}
