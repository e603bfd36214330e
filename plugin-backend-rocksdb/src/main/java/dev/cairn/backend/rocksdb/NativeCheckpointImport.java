package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Copies the rows of this backend's key groups from a native checkpoint that is not the one the
 * database was opened from (scale-in: the other old subtasks). Its files are fetched (each checked
 * against its checksum) into a scratch directory and opened read-only.
 */
final class NativeCheckpointImport {

    private static final int BATCH_BYTES = 4 << 20;

    private final RocksDBKeyedStateBackend<?> backend;
    private final SnapshotReader reader;

    NativeCheckpointImport(RocksDBKeyedStateBackend<?> backend, SnapshotReader reader) {
        this.backend = backend;
        this.reader = reader;
    }

    void importKeyGroups(NativeFilesHandle handle, Map<String, RocksState> states, KeyGroupRange range) throws IOException {
        if (handle.keyGroupRange().end() < range.start() || handle.keyGroupRange().start() > range.end()) {
            return; // none of our key groups
        }
        Path scratch = Files.createTempDirectory(backend.directory().getParent(), "restore-");
        try {
            CheckpointFiles.fetch(handle, reader, scratch);
            copyRows(scratch, states, range);
        } catch (RocksDBException e) {
            throw new IOException("Cannot read the RocksDB checkpoint of key groups " + handle.keyGroupRange() + ": " + e.getMessage(), e);
        } finally {
            RocksIncrementalSnapshot.deleteRecursively(scratch);
        }
    }

    private void copyRows(Path scratch, Map<String, RocksState> states, KeyGroupRange range) throws RocksDBException, IOException {
        List<byte[]> names;
        try (Options options = new Options()) {
            names = RocksDB.listColumnFamilies(options, scratch.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] n : names) {
            descriptors.add(new ColumnFamilyDescriptor(n, backend.columnFamilyOptions()));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB source = RocksDB.openReadOnly(options, scratch.toString(), descriptors, handles)) {
            try {
                for (int i = 0; i < names.size(); i++) {
                    String name = new String(names.get(i), StandardCharsets.UTF_8);
                    if (name.equals("default")) {
                        continue;
                    }
                    RocksState state = states.get(name);
                    if (state == null) {
                        throw new IOException("The checkpoint holds state '" + name + "', which its handle does not describe");
                    }
                    copyColumnFamily(source, handles.get(i), state, range);
                }
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    private void copyColumnFamily(RocksDB source, ColumnFamilyHandle from, RocksState to, KeyGroupRange range) throws RocksDBException {
        WriteBatch batch = new WriteBatch();
        try (RocksIterator it = source.newIterator(from)) {
            for (it.seek(Bytes.keyGroupPrefix(range.start())); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (Bytes.keyGroupOf(key) > range.end()) {
                    break;
                }
                batch.put(to.columnFamily, key, it.value());
                if (batch.getDataSize() > BATCH_BYTES) {
                    backend.db().write(backend.writeOptions(), batch);
                    batch.close();
                    batch = new WriteBatch();
                }
            }
            backend.db().write(backend.writeOptions(), batch);
        } finally {
            batch.close();
        }
    }
}
