package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.rocksdb.EnvOptions;
import org.rocksdb.IngestExternalFileOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDBException;
import org.rocksdb.SstFileWriter;

/**
 * Restores backend-neutral entries through RocksDB's bulk path instead of row by row: the range is
 * cut into runs of key groups, one per thread; each run sorts the rows of one key group at a time
 * and appends them to an SST file per state; then every file is ingested (moved, not copied). The
 * runs are disjoint and rows start with their key group, so the files never overlap.
 */
final class SstBulkLoad {

    /** One row: its key as stored and its value (a list row's elements, framed). */
    private record Row(byte[] key, byte[] value) {
    }

    private final RocksDBKeyedStateBackend<?> backend;
    private final List<RocksState> states;
    private final Path directory;

    SstBulkLoad(RocksDBKeyedStateBackend<?> backend, List<RocksState> states, Path directory) {
        this.backend = backend;
        this.states = states;
        this.directory = directory;
    }

    /** Loads every key group of {@code range} from {@code entries}, whose state indexes follow {@code states}. */
    void load(KeyGroupEntries entries, KeyGroupRange range) throws IOException {
        int runs = Math.max(1, Math.min(range.size(), Runtime.getRuntime().availableProcessors()));
        List<Callable<List<List<Path>>>> tasks = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            int from = range.start() + (int) ((long) range.size() * r / runs);
            int to = range.start() + (int) ((long) range.size() * (r + 1) / runs) - 1;
            int run = r;
            tasks.add(() -> writeRun(entries, from, to, run));
        }
        List<List<List<Path>>> written = FileTransfers.run("write SST files for key groups " + range, tasks);
        try (IngestExternalFileOptions ingest = new IngestExternalFileOptions().setMoveFiles(true)) {
            for (int s = 0; s < states.size(); s++) {
                List<String> files = new ArrayList<>();
                for (List<List<Path>> perRun : written) {
                    perRun.get(s).forEach(p -> files.add(p.toString()));
                }
                if (!files.isEmpty()) {
                    backend.db().ingestExternalFile(states.get(s).columnFamily, files, ingest);
                }
            }
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not ingest the restored key groups " + range + ": " + e.getMessage(), e);
        }
    }

    /** Writes key groups {@code [from, to]}: per state, the file written (or none). */
    private List<List<Path>> writeRun(KeyGroupEntries entries, int from, int to, int run) throws IOException, RocksDBException {
        List<SstFileWriter> writers = new ArrayList<>();
        List<List<Path>> files = new ArrayList<>();
        for (int s = 0; s < states.size(); s++) {
            writers.add(null);
            files.add(new ArrayList<>());
        }
        try (EnvOptions env = new EnvOptions(); Options options = new Options(backend.dbOptions(), backend.columnFamilyOptions())) {
            List<List<Row>> rows = new ArrayList<>();
            for (int s = 0; s < states.size(); s++) {
                rows.add(new ArrayList<>());
            }
            for (int kg = from; kg <= to; kg++) {
                int keyGroup = kg;
                rows.forEach(List::clear);
                entries.read(kg, (state, key, namespace, mapKey, value) -> {
                    byte[] row = Bytes.rowPrefix(Bytes.keyPart(keyGroup, key), namespace);
                    rows.get(state).add(new Row(mapKey == null ? row : Bytes.concat(row, mapKey),
                            states.get(state).kind == StateKind.LIST ? Bytes.listElement(value) : value));
                });
                for (int s = 0; s < states.size(); s++) {
                    List<Row> sorted = rows.get(s);
                    if (sorted.isEmpty()) {
                        continue;
                    }
                    if (writers.get(s) == null) {
                        Path file = directory.resolve("run-" + run + "-state-" + s + ".sst");
                        SstFileWriter w = new SstFileWriter(env, options);
                        w.open(file.toString());
                        writers.set(s, w);
                        files.get(s).add(file);
                    }
                    append(writers.get(s), sorted, states.get(s).kind == StateKind.LIST);
                }
            }
            for (SstFileWriter w : writers) {
                if (w != null) {
                    w.finish();
                }
            }
        } finally {
            for (SstFileWriter w : writers) {
                if (w != null) {
                    w.close();
                }
            }
        }
        return files;
    }

    /**
     * Appends one key group's rows in key order. A key may come more than once (a list's elements,
     * or old subtasks whose key groups were merged): list elements are joined, later values win.
     */
    private static void append(SstFileWriter writer, List<Row> rows, boolean list) throws RocksDBException {
        rows.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key())); // stable: equal keys keep their order
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            int last = i;
            while (last + 1 < rows.size() && Arrays.equals(rows.get(last + 1).key(), row.key())) {
                last++;
            }
            byte[] value = rows.get(last).value();
            if (list && last > i) {
                joined.reset();
                for (int j = i; j <= last; j++) {
                    joined.writeBytes(rows.get(j).value());
                }
                value = joined.toByteArray();
            }
            writer.put(row.key(), value);
            i = last;
        }
    }

    /** A fresh directory for the files of one load, on the database's file system. */
    static Path directoryFor(Path workingDirectory) throws IOException {
        return Files.createTempDirectory(Files.createDirectories(workingDirectory), "ingest-");
    }
}
