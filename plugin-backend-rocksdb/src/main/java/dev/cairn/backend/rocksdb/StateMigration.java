package dev.cairn.backend.rocksdb;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.StateKind;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/** Rewrites a restored state's values from the serializer that wrote them to the one registered now. */
final class StateMigration {
    /** Rows are written in batches of about this size: a whole large state in one batch would have to fit in memory. */
    private static final long BATCH_BYTES = 16 << 20;

    private StateMigration() {
    }

    static void rewriteValues(RocksDBKeyedStateBackend<?> backend, RocksState s, TypeSerializer<Object> old) {
        try (RocksIterator it = backend.db().newIterator(s.columnFamily); WriteBatch batch = new WriteBatch()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                byte[] value = it.value();
                byte[] rewritten;
                if (s.kind == StateKind.LIST) {
                    List<byte[]> elements = new ArrayList<>();
                    for (byte[] e : Bytes.listElements(value)) {
                        elements.add(Bytes.serialize(s.valueSerializer, Bytes.deserialize(old, e)));
                    }
                    rewritten = Bytes.joinElements(elements);
                } else {
                    rewritten = Bytes.serialize(s.valueSerializer, Bytes.deserialize(old, value));
                }
                batch.put(s.columnFamily, it.key(), rewritten);
                if (batch.getDataSize() >= BATCH_BYTES) {
                    backend.db().write(backend.writeOptions(), batch);
                    batch.clear();
                }
            }
            it.status();
            backend.db().write(backend.writeOptions(), batch);
        } catch (RocksDBException e) {
            throw RocksDBKeyedStateBackend.failure("migrate", s, e);
        }
    }
}
