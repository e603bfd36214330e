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
