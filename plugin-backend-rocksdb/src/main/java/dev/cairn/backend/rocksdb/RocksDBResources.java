package dev.cairn.backend.rocksdb;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBufferManager;

/**
 * What every RocksDB instance of the platform shares, so memory is bounded by configuration and
 * not by the number of subtasks: one block cache, and one write-buffer manager that charges
 * memtables to that cache.
 *
 * <p>Counted references keep the native objects alive while anything may still use them: the
 * backend component holds one from creation to {@link #close()}, each open database one until
 * it has closed. A bundle update deactivates the component while tasks of the stopping job may
 * still be creating column families or closing their databases on other threads.
 */
final class RocksDBResources implements AutoCloseable {

    private final java.util.concurrent.atomic.AtomicInteger references = new java.util.concurrent.atomic.AtomicInteger(1);

    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final StringAppendOperator append = new StringAppendOperator("");
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnFamilyOptions;
    private static final double HIGH_PRIORITY_RATIO = 0.1;
    private static final int BOTTOMMOST_REWRITE_DELAY_SECONDS = 24 * 3600;

    private final long cacheBytes;
    private final long writeBufferBytes;

    RocksDBResources(long cacheBytes, long writeBufferBytes) {
        this.cacheBytes = cacheBytes;
        this.writeBufferBytes = writeBufferBytes;
        // a tenth of the cache kept for index and filter blocks, so that data blocks do not evict them
        this.cache = new LRUCache(cacheBytes, -1, false, HIGH_PRIORITY_RATIO);
        this.writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
        this.dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setWriteBufferManager(writeBuffers).setMaxBackgroundJobs(2).setKeepLogFileNum(2)
                // writes skip the log, and a closing instance is never reopened
                .setAvoidFlushDuringShutdown(true);
        this.columnFamilyOptions = columnFamilyDefaults().setMergeOperator(append)
                // a checkpoint switches the memtable without waiting for an earlier flush: three leave room for that without a write stall
                .setMaxWriteBufferNumber(3)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setCacheIndexAndFilterBlocks(true)
                        .setCacheIndexAndFilterBlocksWithHighPriority(true).setPinTopLevelIndexAndFilter(true)
                        .setPinL0FilterAndIndexBlocksInCache(true));
    }

    /**
     * A checkpoint pins a RocksDB snapshot while it waits for its flush. Releasing one makes RocksDB
     * rewrite every bottommost file that still carries sequence numbers, new ones included, and the
     * next checkpoint would upload them again; the delay (not in the Java API, hence the
     * properties) leaves a file alone for its first day.
     */
    private static ColumnFamilyOptions columnFamilyDefaults() {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("bottommost_file_compaction_delay", String.valueOf(BOTTOMMOST_REWRITE_DELAY_SECONDS));
        ColumnFamilyOptions options = ColumnFamilyOptions.getColumnFamilyOptionsFromProps(props);
        if (options == null) {
            throw new IllegalStateException("This RocksDB build does not know bottommost_file_compaction_delay");
        }
        return options;
    }

    DBOptions dbOptions() {
        return dbOptions;
    }

    ColumnFamilyOptions columnFamilyOptions() {
        return columnFamilyOptions;
    }

    /** Bytes the shared block cache holds now (memtables charged to it included). */
    long cacheUsage() {
        return cache.getUsage();
    }

    long cacheCapacity() {
        return cacheBytes;
    }

    long writeBufferCapacity() {
        return writeBufferBytes;
    }

    /** A reference for a database about to open; false once the resources are freed or being freed. */
    boolean retain() {
        for (int n = references.get(); n > 0; n = references.get()) {
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Gives back a reference; the last one frees the native objects. */
    void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            free();
        } else if (left < 0) {
            throw new IllegalStateException("RocksDB resources released more often than retained");
        }
    }

    /** Gives back the component's reference: the native objects are freed once no database uses them. */
    @Override
    public void close() {
        release();
    }

    private void free() {
        columnFamilyOptions.close();
        dbOptions.close();
        writeBuffers.close();
        cache.close();
        append.close();
    }
}
