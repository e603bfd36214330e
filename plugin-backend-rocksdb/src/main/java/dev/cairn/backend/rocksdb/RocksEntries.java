package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;

/**
 * The database as a snapshot's synchronous part saw it: a RocksDB snapshot (a sequence number: no
 * flush, no copy) read key group by key group, each row turned into the backend-neutral entries
 * (a list row into one entry per element). Reading gives up if the backend starts closing.
 */
final class RocksEntries implements KeyGroupEntries {

    private final RocksDBKeyedStateBackend<?> backend;
    private final Snapshot snapshot;
    private final List<RocksState> states;
    private final List<StateMetaInfo> metas;
    private ReadOptions read;
    private boolean begun;
    private boolean closed;

    RocksEntries(RocksDBKeyedStateBackend<?> backend) {
        this.backend = backend;
        this.snapshot = backend.asyncAccess().pin();
        this.states = new ArrayList<>(backend.states().values());
        this.metas = states.stream().map(s -> s.meta).toList();
    }

    @Override
    public List<StateMetaInfo> states() {
        return metas;
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return backend.range();
    }

    /**
     * The database serves iterators on one snapshot to any number of threads; a TTL filter
     * deserializes values with the state's serializer, which must allow that too.
     */
    @Override
    public boolean readsConcurrently() {
        return states.stream().allMatch(s -> s.snapshotFilter == null || s.valueSerializer.isStateless());
    }

    @Override
    public void read(int keyGroup, StateEntrySink sink) throws IOException {
        ReadOptions options = open();
        if (backend.asyncAccess().closing()) {
            throw new IOException("The RocksDB instance is closing; the snapshot of key groups " + backend.range() + " is abandoned");
        }
        byte[] prefix = Bytes.keyGroupPrefix(keyGroup);
        for (int i = 0; i < states.size(); i++) {
            RocksState s = states.get(i);
            try (RocksIterator it = backend.db().newIterator(s.columnFamily, options)) { // per key group: runs are read on several threads
                readState(i, s, it, keyGroup, prefix, sink);
            }
        }
    }

    private static void readState(int i, RocksState s, RocksIterator it, int keyGroup, byte[] prefix, StateEntrySink sink) throws IOException {
        for (it.seek(prefix); it.isValid(); it.next()) {
            byte[] key = it.key();
            if (Bytes.keyGroupOf(key) != keyGroup) {
                return;
            }
            byte[] value = s.filter(it.value(), s.snapshotFilter);
            if (value == null) {
                continue;
            }
            Bytes.Row row = Bytes.Row.parse(key);
            if (s.kind == StateKind.LIST) {
                for (byte[] element : Bytes.listElements(value)) {
                    sink.accept(i, row.key(), row.namespace(), null, element);
                }
            } else {
                sink.accept(i, row.key(), row.namespace(), s.kind == StateKind.MAP ? row.userKey() : null, value);
            }
        }
    }

    private synchronized ReadOptions open() throws IOException {
        if (begun && !closed) {
            return read;
        }
        if (closed || !backend.asyncAccess().begin()) {
            throw new IOException("The RocksDB instance closed before the snapshot of key groups " + backend.range() + " was read");
        }
        begun = true;
        read = new ReadOptions().setSnapshot(snapshot);
        return read;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (read != null) {
            read.close();
        }
        if (begun) {
            backend.asyncAccess().end();
        }
        backend.asyncAccess().unpin(snapshot);
    }
}
