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
import java.util.HashMap;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Reads the key groups of this backend's range from the full snapshots of the old subtasks (any
 * parallelism): each checksummed section goes into the column families in one write batch, as
 * bytes, without deserializing anything.
 */
final class RocksRestoreOperation<K> {
    private final RocksDBKeyedStateBackend<K> backend;
    private final KeyedBackendParameters<K> params;

    RocksRestoreOperation(RocksDBKeyedStateBackend<K> backend, KeyedBackendParameters<K> params) {
        this.backend = backend;
        this.params = params;
    }

    void restore() throws IOException {
        KeyGroupRange range = params.keyGroupRange();
        for (KeyedStateHandle handle : params.restore().handles()) {
            if (!RocksDBStateBackend.NAME.equals(handle.backend())) {
                throw new IOException("Snapshot state of operator '" + params.operatorUid() + "' was written by backend '"
                        + handle.backend() + "'; the rocksdb backend reads only its own native format (use a canonical savepoint to switch backends)");
            }
            Map<String, RocksState> states = new HashMap<>();
            for (StateMetaInfo meta : handle.states()) {
                states.put(meta.name(), backend.restoredState(meta, restore(meta.namespaceSerializer(), meta),
                        restore(meta.valueSerializer(), meta), meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta)));
            }
            if ("incremental".equals(handle.format())) {
                new NativeCheckpointImport(backend, params.restore().reader()).importKeyGroups(handle, states, range);
                continue;
            }
            for (KeyGroupSection section : handle.sections()) {
                if (!range.contains(section.keyGroup())) {
                    continue;
                }
                byte[] bytes = params.restore().reader().readSection(section);
                try (WriteBatch batch = new WriteBatch()) {
                    readSection(new DataInputStream(new ByteArrayInputStream(bytes)), states, section.keyGroup(), batch);
                    backend.db().write(backend.writeOptions(), batch);
                } catch (IOException | RuntimeException | RocksDBException e) {
                    throw new CorruptSnapshotException(section.path(), "key group " + section.keyGroup()
                            + " passed its checksum but cannot be read: " + e, e);
                }
            }
        }
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
