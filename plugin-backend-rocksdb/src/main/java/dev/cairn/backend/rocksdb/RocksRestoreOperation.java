package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Creates a subtask's database from what it restores. The native checkpoint that overlaps this
 * subtask's key groups most (the base) is put into the new database's directory, from the local
 * copy if a valid one is there, otherwise fetched, and opened in place; rows of key groups outside
 * this subtask's range are dropped with range deletions. Every other handle (the other old
 * subtasks of a scale-in, or full snapshots) is copied in row by row, as bytes, without
 * deserializing anything.
 */
final class RocksRestoreOperation<K> {
    private static final Logger LOG = Logger.getLogger(RocksRestoreOperation.class.getName());

    private final KeyedBackendParameters<K> params;
    private final RocksDBResources resources;
    private final LocalRecovery localRecovery;
    private final RestoreCounters counters;

    RocksRestoreOperation(KeyedBackendParameters<K> params, RocksDBResources resources, LocalRecovery localRecovery, RestoreCounters counters) {
        this.params = params;
        this.resources = resources;
        this.localRecovery = localRecovery;
        this.counters = counters;
    }

    RocksDBKeyedStateBackend<K> createBackend() throws IOException {
        KeyGroupRange range = params.keyGroupRange();
        List<KeyedStateHandle> handles = params.restore().handles();
        for (KeyedStateHandle handle : handles) {
            if (!RocksDBStateBackend.NAME.equals(handle.backend())) {
                throw new IOException("Snapshot state of operator '" + params.operatorUid() + "' was written by backend '"
                        + handle.backend() + "'; the rocksdb backend reads only its own native format (use a canonical savepoint to switch backends)");
            }
        }
        KeyedStateHandle base = handles.stream().filter(h -> "incremental".equals(h.format()))
                .max(Comparator.comparingInt(h -> h.keyGroupRange().intersect(range).size())).orElse(null);
        Path directory = RocksDBKeyedStateBackend.newDirectory(params);
        RocksDBKeyedStateBackend<K> backend = null;
        try {
            if (base != null) {
                placeBase(base, directory);
            }
            backend = new RocksDBKeyedStateBackend<>(params, resources, directory, localRecovery);
            if (base != null) {
                openBase(backend, base, range);
            }
            boolean imported = false;
            for (KeyedStateHandle handle : handles) {
                if (handle != base) {
                    importHandle(backend, handle, range);
                    imported = true;
                }
            }
            if (imported) {
                backend.flushAll();
            }
            return backend;
        } catch (RocksDBException e) {
            backend.close();
            throw new IOException("Cannot flush the restored state of key groups " + range + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            if (backend != null) {
                backend.close();
            } else {
                RocksIncrementalSnapshot.deleteRecursively(directory);
            }
            throw e;
        }
    }

    private void placeBase(KeyedStateHandle base, Path directory) throws IOException {
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

    private void openBase(RocksDBKeyedStateBackend<K> backend, KeyedStateHandle base, KeyGroupRange range) throws IOException {
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

    private void importHandle(RocksDBKeyedStateBackend<K> backend, KeyedStateHandle handle, KeyGroupRange range) throws IOException {
        Map<String, RocksState> states = new HashMap<>();
        for (StateMetaInfo meta : handle.states()) {
            states.put(meta.name(), registerState(backend, meta));
        }
        if ("incremental".equals(handle.format())) {
            new NativeCheckpointImport(backend, params.restore().reader()).importKeyGroups(handle, states, range);
            return;
        }
        for (KeyGroupSection section : handle.sections()) {
            if (!range.contains(section.keyGroup())) {
                continue;
            }
            byte[] bytes = params.restore().reader().readSection(section);
            try (WriteBatch batch = new WriteBatch()) {
                readSection(new DataInputStream(new ByteArrayInputStream(bytes)), states, section.keyGroup(), batch);
                backend.db().write(backend.bulkWriteOptions(), batch);
            } catch (IOException | RuntimeException | RocksDBException e) {
                throw new CorruptSnapshotException(section.path(), "key group " + section.keyGroup()
                        + " passed its checksum but cannot be read: " + e, e);
            }
        }
    }

    private RocksState registerState(RocksDBKeyedStateBackend<K> backend, StateMetaInfo meta) throws IOException {
        return backend.restoredState(meta, restore(meta.namespaceSerializer(), meta), restore(meta.valueSerializer(), meta),
                meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta));
    }

    private static void readSection(DataInputStream in, Map<String, RocksState> states, int keyGroup, WriteBatch batch)
            throws IOException, RocksDBException {
        byte[] kgPrefix = Bytes.keyGroupPrefix(keyGroup);
        while (in.readBoolean()) {
            String name = in.readUTF();
            RocksState s = states.get(name);
            if (s == null) {
                throw new IOException("section holds state '" + name + "', which the handle does not describe");
            }
            while (in.readBoolean()) {
                byte[] key = Bytes.concat(kgPrefix, readBytes(in));
                byte[] value = readBytes(in);
                // list rows of one key may come from two old subtasks' snapshots only after merges: append
                if (s.kind == StateKind.LIST) {
                    batch.merge(s.columnFamily, key, value);
                } else {
                    batch.put(s.columnFamily, key, value);
                }
            }
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 30)) {
            throw new IOException("row of " + n + " bytes");
        }
        return in.readNBytes(n);
    }

    private TypeSerializer<?> restore(SerializerSnapshotRef ref, StateMetaInfo meta) throws IOException {
        return ref.restoreSerializer(meta.name(), params.operatorUid(), RocksRestoreOperation.class.getClassLoader(),
                TypeSerializer.class.getClassLoader(), params.userClassLoader());
    }
}
