package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.rocksdb.RocksDBException;

/**
 * Creates a subtask's database from what it restores. The native checkpoint that overlaps this
 * subtask's key groups most (the base) is put into the new database's directory, from the local
 * copy if a valid one is there, otherwise fetched, and opened in place; rows of key groups outside
 * this subtask's range are dropped with range deletions. The other old subtasks' native
 * checkpoints (a scale-in) are copied in row by row, as bytes. State in sections (full and
 * canonical snapshots, whichever backend wrote them) goes in through sorted SST files.
 */
final class RocksRestoreOperation<K> {
    private static final Logger LOG = Logger.getLogger(RocksRestoreOperation.class.getName());

    private final KeyedBackendParameters<K> params;
    private final RocksDBResources resources;
    private final LocalRecovery localRecovery;
    private final BackendCounters counters;

    RocksRestoreOperation(KeyedBackendParameters<K> params, RocksDBResources resources, LocalRecovery localRecovery, BackendCounters counters) {
        this.params = params;
        this.resources = resources;
        this.localRecovery = localRecovery;
        this.counters = counters;
    }

    RocksDBKeyedStateBackend<K> createBackend() throws IOException {
        KeyGroupRange range = params.keyGroupRange();
        List<NativeFilesHandle> natives = new ArrayList<>();
        for (KeyedStateHandle handle : params.restore().handles()) {
            if (handle instanceof NativeFilesHandle n) {
                if (!RocksDBStateBackend.NAME.equals(n.backend())) {
                    throw new IOException("Snapshot state of operator '" + params.operatorUid() + "' is in the native files of backend '"
                            + n.backend() + "', which the rocksdb backend cannot read (switch backends through a canonical savepoint)");
                }
                natives.add(n);
            }
        }
        NativeFilesHandle base = natives.stream().max(Comparator.comparingInt(h -> h.keyGroupRange().intersect(range).size())).orElse(null);
        Path directory = RocksDBKeyedStateBackend.newDirectory(params);
        RocksDBKeyedStateBackend<K> backend = null;
        try {
            if (base != null) {
                placeBase(base, directory);
            }
            backend = new RocksDBKeyedStateBackend<>(params, resources, directory, localRecovery, counters.wholeCopies());
            if (base != null) {
                openBase(backend, base, range);
            }
            boolean imported = false;
            for (NativeFilesHandle handle : natives) {
                if (handle != base) {
                    importHandle(backend, handle, range);
                    imported = true;
                }
            }
            if (imported) {
                backend.flushAll();
            }
            loadSections(backend, range);
            return backend;
        } catch (RocksDBException e) {
            backend.close();
            throw new IOException("Cannot flush the restored state of key groups " + range + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException | Error e) {
            // an Error too (a class the updated bundle no longer has): a database left open keeps its threads
            if (backend != null) {
                backend.close();
            } else {
                RocksIncrementalSnapshot.deleteRecursively(directory);
            }
            throw e;
        }
    }

    private void placeBase(NativeFilesHandle base, Path directory) throws IOException {
        long start = System.nanoTime();
        boolean local = base.keyGroupRange().equals(params.keyGroupRange()) && localRecovery.restoreInto(base, directory);
        if (local) {
            counters.fromLocalCopy().incrementAndGet();
        } else {
            CheckpointFiles.fetch(base, params.restore().reader(), directory);
            counters.fetched().incrementAndGet();
        }
        LOG.fine(() -> "Key groups " + base.keyGroupRange() + " of '" + params.operatorUid() + "' placed " + (local ? "from the local copy" : "from storage")
                + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    private void openBase(RocksDBKeyedStateBackend<K> backend, NativeFilesHandle base, KeyGroupRange range) throws IOException {
        for (StateMetaInfo meta : base.states()) {
            registerState(backend, meta);
        }
        if (!backend.unclaimedColumnFamilies().isEmpty()) {
            throw new IOException("The checkpoint of key groups " + base.keyGroupRange() + " holds states " + backend.unclaimedColumnFamilies()
                    + ", which its handle does not describe");
        }
        KeyGroupRange held = base.keyGroupRange();
        try {
            for (RocksState s : backend.states().values()) {
                if (held.start() < range.start()) {
                    backend.db().deleteRange(s.columnFamily, backend.writeOptions(), Bytes.keyGroupPrefix(held.start()), Bytes.keyGroupPrefix(range.start()));
                }
                if (held.end() > range.end()) {
                    backend.db().deleteRange(s.columnFamily, backend.writeOptions(), Bytes.keyGroupPrefix(range.end() + 1),
                            Bytes.keyGroupPrefix(held.end() + 1));
                }
            }
        } catch (RocksDBException e) {
            throw new IOException("Cannot drop the key groups outside " + range + " from the restored checkpoint: " + e.getMessage(), e);
        }
        if (params.restore().baseReusable() && held.equals(range)) {
            Map<String, List<CheckpointFiles.Placement>> ssts = new HashMap<>();
            for (CheckpointFiles.Placement p : CheckpointFiles.placements(base)) {
                if (p.name().endsWith(".sst")) {
                    ssts.put(p.name(), List.of(p));
                }
            }
            backend.reuseRestoredFiles(ssts);
        }
    }

    private void importHandle(RocksDBKeyedStateBackend<K> backend, NativeFilesHandle handle, KeyGroupRange range) throws IOException {
        Map<String, RocksState> states = new HashMap<>();
        for (StateMetaInfo meta : handle.states()) {
            states.put(meta.name(), registerState(backend, meta));
        }
        new NativeCheckpointImport(backend, params.restore().reader()).importKeyGroups(handle, states, range);
    }

    /** Everything the snapshot holds in sections (any backend's, any format), through the bulk path. */
    private void loadSections(RocksDBKeyedStateBackend<K> backend, KeyGroupRange range) throws IOException {
        try (KeyGroupEntries entries = params.restore().entries()) {
            if (entries.states().isEmpty()) {
                return;
            }
            List<RocksState> states = new ArrayList<>();
            for (StateMetaInfo meta : entries.states()) {
                states.add(registerState(backend, meta));
            }
            Path dir = SstBulkLoad.directoryFor(params.workingDirectory());
            try {
                new SstBulkLoad(backend, states, dir).load(entries, range);
            } finally {
                RocksIncrementalSnapshot.deleteRecursively(dir);
            }
        }
    }

    private RocksState registerState(RocksDBKeyedStateBackend<K> backend, StateMetaInfo meta) throws IOException {
        return backend.restoredState(meta, restore(meta.namespaceSerializer(), meta), restore(meta.valueSerializer(), meta),
                meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta));
    }

    private TypeSerializer<?> restore(SerializerSnapshotRef ref, StateMetaInfo meta) throws IOException {
        return ref.restoreSerializer(meta.name(), params.operatorUid(), RocksRestoreOperation.class.getClassLoader(),
                TypeSerializer.class.getClassLoader(), params.userClassLoader());
    }
}
