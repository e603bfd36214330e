package dev.cairn.backend.rocksdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.SstFileWriter;

/**
 * A checkpoint's database written whole, as a pinned RocksDB snapshot sees it: each state's rows
 * go in key order into one SST file, which a new database in the checkpoint directory ingests
 * under the state's column family. The result opens like any other native checkpoint. Used when
 * the live database's files already hold writes newer than the checkpoint.
 */
final class RocksWholeCopy {

    private final RocksDBKeyedStateBackend<?> backend;
    private final List<RocksState> states;
    private final Snapshot pinned;

    RocksWholeCopy(RocksDBKeyedStateBackend<?> backend, List<RocksState> states, Snapshot pinned) {
        this.backend = backend;
        this.states = states;
        this.pinned = pinned;
    }

    /** Writes the database into {@code dir}, which must not exist yet; returns its SST files and MANIFEST. */
    List<RocksIncrementalSnapshot.Linked> write(Path dir) throws IOException {
        // the live database and the options it shares with the copy stay open until the copy is done
        if (!backend.asyncAccess().begin()) {
            throw new IOException("The RocksDB instance closed before its state was copied");
        }
        Path rows = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-rows"));
        try {
            return ingest(dir, writeRows(rows));
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not copy its state into " + dir + ": " + e.getMessage(), e);
        } finally {
            RocksIncrementalSnapshot.deleteRecursively(rows);
            backend.asyncAccess().end();
        }
    }

    /** One SST file per state (null where the state holds nothing), read from the live database at the pinned sequence number. */
    private List<Path> writeRows(Path rows) throws IOException, RocksDBException {
        List<Path> files = new ArrayList<>();
        try (ReadOptions read = new ReadOptions().setSnapshot(pinned); EnvOptions env = new EnvOptions();
             Options options = new Options(backend.dbOptions(), backend.columnFamilyOptions())) {
            for (int i = 0; i < states.size(); i++) {
                files.add(writeState(states.get(i), read, env, options, rows.resolve("state-" + i + ".sst")));
            }
        }
        return files;
    }

    private Path writeState(RocksState state, ReadOptions read, EnvOptions env, Options options, Path file) throws IOException, RocksDBException {
        try (RocksIterator it = backend.db().newIterator(state.columnFamily, read)) {
            it.seekToFirst();
            if (!it.isValid()) {
                it.status(); // the end of the data, or a read error, which throws here
                return null;
            }
            try (SstFileWriter writer = new SstFileWriter(env, options)) {
                writer.open(file.toString());
                for (; it.isValid(); it.next()) {
                    if (backend.asyncAccess().closing()) {
                        throw new IOException("The RocksDB instance is closing; the copy of its state is abandoned");
                    }
                    writer.put(it.key(), it.value());
                }
                it.status(); // a read error ends the iteration as the end of the data does: never a cut copy
                writer.finish();
            }
            return file;
        }
    }

    /** A new database in {@code dir} with a column family per state, each ingesting its file. */
    private List<RocksIncrementalSnapshot.Linked> ingest(Path dir, List<Path> files) throws IOException, RocksDBException {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, backend.columnFamilyOptions()));
        for (RocksState s : states) {
            descriptors.add(new ColumnFamilyDescriptor(s.name.getBytes(StandardCharsets.UTF_8), backend.columnFamilyOptions()));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        List<RocksIncrementalSnapshot.Linked> linked = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
             RocksDB copy = RocksDB.open(options, dir.toString(), descriptors, handles);
             IngestExternalFileOptions move = new IngestExternalFileOptions().setMoveFiles(true)) {
            try {
                for (int i = 0; i < files.size(); i++) {
                    if (files.get(i) != null) {
                        copy.ingestExternalFile(handles.get(i + 1), List.of(files.get(i).toString()), move);
                    }
                }
                linked.addAll(RocksIncrementalSnapshot.checkpointFiles(copy.getLiveFiles(false)));
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
        return linked;
    }
}
