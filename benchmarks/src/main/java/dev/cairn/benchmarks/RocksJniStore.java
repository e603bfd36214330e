package dev.cairn.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;

/**
 * The floor for RocksDB backends: state straight through RocksJava (FRocksDB 8.10, as both backends), with
 * the memory Cairn's backend gets (256 MiB block cache, 64 MiB write buffers charged to it) and
 * no write-ahead log, as both backends run. Keys are a kind byte and the 8 bytes of the long
 * (and the map key's UTF-8 bytes), values UTF-8; list elements are length-prefixed and appended
 * with the merge operator. No key group, namespace, serializer or per-state column family.
 */
final class RocksJniStore implements StateStore {

    static {
        RocksDB.loadLibrary();
    }

    private static final byte VALUE = 'v';
    private static final byte MAP = 'm';
    private static final byte LIST = 'l';

    private final LRUCache cache = new LRUCache(256L << 20);
    private final WriteBufferManager writeBuffers = new WriteBufferManager(64L << 20, cache);
    private final StringAppendOperator append = new StringAppendOperator("");
    private final Options options;
    private final WriteOptions writeOptions = new WriteOptions().setDisableWAL(true);
    private final RocksDB db;
    private long key;

    RocksJniStore(Path workDir) throws Exception {
        options = new Options().setCreateIfMissing(true).setWriteBufferManager(writeBuffers).setMergeOperator(append)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        db = RocksDB.open(options, workDir.resolve("jni").toString());
    }

    private byte[] rowKey(byte kind, byte[] suffix) {
        return ByteBuffer.allocate(9 + suffix.length).put(kind).putLong(key).put(suffix).array();
    }

    private static final byte[] NONE = new byte[0];

    @Override
    public void setKey(long k) {
        key = k;
    }

    @Override
    public boolean owns(long k) {
        return true;
    }

    @Override
    public String valueGet() throws Exception {
        byte[] v = db.get(rowKey(VALUE, NONE));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    @Override
    public void valueUpdate(String value) throws Exception {
        db.put(writeOptions, rowKey(VALUE, NONE), value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void mapPut(String userKey, String value) throws Exception {
        db.put(writeOptions, rowKey(MAP, userKey.getBytes(StandardCharsets.UTF_8)), value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String mapGet(String userKey) throws Exception {
        byte[] v = db.get(rowKey(MAP, userKey.getBytes(StandardCharsets.UTF_8)));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    @Override
    public int mapIterate() {
        byte[] prefix = rowKey(MAP, NONE);
        int n = 0;
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                n += it.value().length > 0 ? 1 : 0;
            }
        }
        return n;
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public void listAdd(String value) throws Exception {
        byte[] element = value.getBytes(StandardCharsets.UTF_8);
        db.merge(writeOptions, rowKey(LIST, NONE), ByteBuffer.allocate(4 + element.length).putInt(element.length).put(element).array());
    }

    @Override
    public int listGet() throws Exception {
        byte[] all = db.get(rowKey(LIST, NONE));
        int n = 0;
        if (all != null) {
            ByteBuffer b = ByteBuffer.wrap(all);
            while (b.hasRemaining()) {
                int length = b.getInt();
                n += new String(all, b.position(), length, StandardCharsets.UTF_8).length() > 0 ? 1 : 0;
                b.position(b.position() + length);
            }
        }
        return n;
    }

    @Override
    public PendingSnapshot snapshot(long checkpointId, boolean incremental) {
        throw new UnsupportedOperationException("the raw JNI floor measures state operations only");
    }

    @Override
    public StateStore restore(Path workDir, List<PendingSnapshot.Done> snapshots, int index, int parallelism) {
        throw new UnsupportedOperationException("the raw JNI floor measures state operations only");
    }

    @Override
    public void close() {
        db.close();
        options.close();
        append.close();
        writeOptions.close();
        writeBuffers.close();
        cache.close();
    }
}
