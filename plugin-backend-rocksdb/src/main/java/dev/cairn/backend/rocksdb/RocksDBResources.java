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
 */
final class RocksDBResources implements AutoCloseable {

    private final LRUCache cache;
    private final WriteBufferManager writeBuffers;
    private final StringAppendOperator append = new StringAppendOperator("");
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnFamilyOptions;
    private static final double HIGH_PRIORITY_RATIO = 0.1;

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
                // the log stays in memory until a checkpoint writes it out; a closing instance is never reopened
                .setManualWalFlush(true).setAvoidFlushDuringShutdown(true);
        this.columnFamilyOptions = new ColumnFamilyOptions().setMergeOperator(append)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setCacheIndexAndFilterBlocks(true)
                        .setCacheIndexAndFilterBlocksWithHighPriority(true).setPinTopLevelIndexAndFilter(true)
                        .setPinL0FilterAndIndexBlocksInCache(true));
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

    @Override
    public void close() {
        columnFamilyOptions.close();
        dbOptions.close();
        writeBuffers.close();
        cache.close();
        append.close();
    }
}
