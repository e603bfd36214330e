package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The floor for RocksDB backends: a value per key straight through RocksJava (rocksdbjni
 * 11.8.1), with the memory Cairn's backend gets (256 MiB block cache, 64 MiB write buffers
 * charged to it) and no write-ahead log, as both backends run. Keys are the 8 bytes of the long,
 * values UTF-8: no key group, no namespace, no serializer. Value operations only.
 */
final class RocksJniStore implements StateStore {

    private final LRUCache cache = new LRUCache(256L << 20);
    private final WriteBufferManager writeBuffers = new WriteBufferManager(64L << 20, cache);
    private final Options options;
    private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
    private final RocksDB db;
    private final byte[] key = new byte[8];

    RocksJniStore(Path workDir) throws Exception {
        RocksDB.loadLibrary();
        options = new Options().setCreateIfMissing(true).setWriteBufferManager(writeBuffers)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        db = RocksDB.open(options, workDir.resolve("jni").toString());
    }

    @Override
    public void setKey(long k) {
        ByteBuffer.wrap(key).putLong(k);
    }

    @Override
    public boolean owns(long k) {
        return true;
    }

    @Override
    public String valueGet() throws Exception {
        byte[] v = db.get(key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    @Override
    public void valueUpdate(String value) throws Exception {
        db.put(writeOptions, key, value.getBytes(StandardCharsets.UTF_8));
    }

    private static UnsupportedOperationException valueOnly() {
        return new UnsupportedOperationException("the raw JNI floor measures value operations only");
    }

    @Override
    public void mapPut(String userKey, String value) {
        throw valueOnly();
    }

    @Override
    public String mapGet(String userKey) {
        throw valueOnly();
    }

    @Override
    public int mapIterate() {
        throw valueOnly();
    }

    @Override
    public void listAdd(String value) {
        throw valueOnly();
    }

    @Override
    public int listGet() {
        throw valueOnly();
    }

    @Override
    public PendingSnapshot snapshot(long checkpointId, boolean incremental) {
        throw valueOnly();
    }

    @Override
    public StateStore restore(Path workDir, List<PendingSnapshot.Done> snapshots, int index, int parallelism) {
        throw valueOnly();
    }

    @Override
    public void close() {
        db.close();
        options.close();
        writeOptions.close();
        writeBuffers.close();
        cache.close();
    }
}
