package dev.cairn.backend.rocksdb;

import java.util.HashSet;
import java.util.Set;
import org.rocksdb.RocksDB;
import org.rocksdb.Snapshot;

/**
 * Lets the asynchronous parts of snapshots, which run on the I/O pool, use a database that the
 * task thread may close at any time (a failing task closes its backend at once): they use it only
 * between {@link #begin} and {@link #end}, and closing waits for those in progress. RocksDB
 * snapshots pinned for them are released by whichever comes last, the snapshot or the close.
 */
final class AsyncDatabaseAccess {

    private final RocksDB db;
    private final Set<Snapshot> pins = new HashSet<>();
    private int users;
    private boolean closing;

    AsyncDatabaseAccess(RocksDB db) {
        this.db = db;
    }

    /** @return false once the database is closing: the caller must not touch it */
    synchronized boolean begin() {
        if (closing) {
            return false;
        }
        users++;
        return true;
    }

    synchronized void end() {
        users--;
        notifyAll();
    }

    synchronized boolean closing() {
        return closing;
    }

    /** Pins the current sequence number (a RocksDB snapshot) until {@link #unpin}, or until the close. */
    synchronized Snapshot pin() {
        Snapshot pin = db.getSnapshot();
        pins.add(pin);
        return pin;
    }

    /** Snapshots pinned for checkpoints whose asynchronous part has not claimed them yet, by checkpoint id. */
    private final java.util.TreeMap<Long, Snapshot> unclaimed = new java.util.TreeMap<>();

    /** Pins the current sequence number for checkpoint {@code id}; its asynchronous part {@link #claim}s it. */
    synchronized Snapshot pinFor(long id) {
        Snapshot pin = pin();
        unclaimed.put(id, pin);
        return pin;
    }

    /** The pin of checkpoint {@code id}, now the caller's to {@link #unpin}; null if released because the checkpoint ended first. */
    synchronized Snapshot claim(long id) {
        return unclaimed.remove(id);
    }

    /**
     * Releases the pins of checkpoints that ended while their asynchronous part had not run yet (a
     * task failing between the two parts, an executor refusing work): a pin held for good would
     * keep compactions from dropping old versions for the rest of the task's life. A completed
     * checkpoint ends every earlier one (subsumed); an aborted one only itself.
     */
    synchronized void releaseUnclaimed(long id, boolean andEarlier) {
        var ended = andEarlier ? unclaimed.headMap(id, true) : unclaimed.subMap(id, true, id, true);
        ended.values().forEach(this::unpin);
        ended.clear();
    }

    synchronized void unpin(Snapshot pin) {
        if (!closing && pins.remove(pin)) {
            db.releaseSnapshot(pin);
        }
    }

    /** Refuses new users, waits for those in progress and releases what is still pinned; the database may close after. */
    synchronized void close() {
        closing = true;
        boolean interrupted = false;
        while (users > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        pins.forEach(db::releaseSnapshot);
        pins.clear();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
