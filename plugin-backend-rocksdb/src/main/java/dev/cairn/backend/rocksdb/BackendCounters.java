package dev.cairn.backend.rocksdb;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the platform's RocksDB databases report together: how restores placed their base
 * checkpoint (from a local copy or fetched from storage), and how many checkpoints had to write
 * their database whole.
 */
record BackendCounters(AtomicLong fromLocalCopy, AtomicLong fetched, AtomicLong wholeCopies) {
    BackendCounters() {
        this(new AtomicLong(), new AtomicLong(), new AtomicLong());
    }
}
