package dev.cairn.backend.rocksdb;

import java.util.concurrent.atomic.AtomicLong;

/** How the platform's RocksDB restores placed their base checkpoint: from a local copy or fetched from storage. */
record RestoreCounters(AtomicLong fromLocalCopy, AtomicLong fetched) {
    RestoreCounters() {
        this(new AtomicLong(), new AtomicLong());
    }
}
