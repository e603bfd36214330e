package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * A full snapshot: the synchronous part takes a RocksDB snapshot (a sequence number: no flush,
 * no copy); the asynchronous part iterates it, one checksummed section per key group, and gives
 * up if the backend starts closing meanwhile:
 * <pre>
 * section := (true stateName rows)* false
 * rows    := (true varint rowKeyWithoutKeyGroup varint value)* false
 * </pre>
 */
final class RocksFullSnapshot {

    static final String FILE = "rocksdb-keyed.bin";

    private record Captured(RocksState state, StateMetaInfo meta) {
    }

    private final RocksDBKeyedStateBackend<?> backend;
    private final SnapshotRequest request;

    RocksFullSnapshot(RocksDBKeyedStateBackend<?> backend, SnapshotRequest request) {
        this.backend = backend;
        this.request = request;
    }

    AsyncSnapshot start() {
        Snapshot snapshot = backend.asyncAccess().pin();
        List<Captured> captured = new ArrayList<>();
        for (RocksState s : backend.states().values()) {
            captured.add(new Captured(s, s.meta));
        }
        return () -> {
            if (!backend.asyncAccess().begin()) {
                throw new IOException("The RocksDB instance closed during snapshot " + request.checkpointId());
            }
            try (ReadOptions read = new ReadOptions().setSnapshot(snapshot)) {
                return write(captured, read);
            } finally {
                backend.asyncAccess().end();
                backend.asyncAccess().unpin(snapshot);
            }
        };
    }

    private KeyedStateHandle write(List<Captured> captured, ReadOptions read) throws IOException {
        List<RocksIterator> iterators = new ArrayList<>();
        SnapshotOutput out = null;
        List<KeyGroupSection> sections = new ArrayList<>();
        boolean committed = false;
        try {
            for (Captured c : captured) {
                RocksIterator it = backend.db().newIterator(c.state().columnFamily, read);
                it.seek(Bytes.keyGroupPrefix(backend.range().start()));
                iterators.add(it);
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
            DataOutputStream data = new DataOutputStream(buffer);
            for (int kg = backend.range().start(); kg <= backend.range().end(); kg++) {
                if (backend.asyncAccess().closing()) {
                    throw new IOException("The RocksDB instance is closing; snapshot " + request.checkpointId() + " abandoned");
                }
                buffer.reset();
                boolean any = false;
                for (int i = 0; i < captured.size(); i++) {
                    any |= writeState(data, captured.get(i).state(), iterators.get(i), kg);
                }
                if (!any) {
                    continue;
                }
                data.writeBoolean(false);
                data.flush();
                if (out == null) {
                    out = request.streams().createOwned(FILE);
                }
                out.beginSection();
                buffer.writeTo(out);
                sections.add(out.endSection(kg));
            }
            List<FileRef> files = new ArrayList<>();
            if (out != null) {
                files.add(out.closeAndGetRef());
            }
            committed = true;
            return new KeyedStateHandle(RocksDBStateBackend.NAME, "full", backend.range(),
                    captured.stream().map(Captured::meta).toList(), sections, files, java.util.Map.of());
        } finally {
            iterators.forEach(RocksIterator::close);
            if (!committed && out != null) {
                out.close(); // discards the partial file
            }
        }
    }

    /** Writes the rows of {@code s} in key group {@code kg}; false when there are none (after filtering). */
    private static boolean writeState(DataOutputStream data, RocksState s, RocksIterator it, int kg) throws IOException {
        boolean started = false;
        for (; it.isValid(); it.next()) {
            byte[] key = it.key();
            if (Bytes.keyGroupOf(key) != kg) {
                break;
            }
            byte[] value = s.filter(it.value(), s.snapshotFilter);
            if (value == null) {
                continue;
            }
            if (!started) {
                data.writeBoolean(true);
                data.writeUTF(s.name);
                started = true;
            }
            data.writeBoolean(true);
            writeBytes(data, key, 2);
            writeBytes(data, value, 0);
        }
        if (started) {
            data.writeBoolean(false);
        }
        return started;
    }

    private static void writeBytes(DataOutputStream data, byte[] bytes, int from) throws IOException {
        data.writeInt(bytes.length - from);
        data.write(bytes, from, bytes.length - from);
    }
}
