package dev.cairn.backend.offheap;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What one snapshot holds of one {@link KeyGroupStore}: the map as it was when the snapshot's
 * synchronous part ran, read segment by segment later. Before the task changes a row in a segment
 * the snapshot has not read yet, the row's bytes of that moment go into {@link #preserved}
 * ({@link #ABSENT} when it had none), on the Java heap; the snapshot then takes the preserved bytes
 * instead of the row. Rows in segments already read need nothing. This is copy-on-write per entry,
 * for the entries that change while a snapshot runs.
 *
 * <p>The capture holds a reference to its map: the map stays mapped until the read ends, even if
 * the store moves to a bigger map or closes meanwhile (unmapping memory a reader is in would crash
 * the process). A capture given up before its read releases the map at once.
 */
final class StoreCapture {
    static final byte[] ABSENT = new byte[0];
    private static final int WAITING = 0;
    private static final int READING = 1;
    private static final int DONE = 2;

    final OffHeapMap map;
    /** Segments of {@link #map} read so far; written under the segment's lock, read under it by the writer. */
    volatile int segmentsRead;
    final ConcurrentHashMap<RowKey, byte[]> preserved = new ConcurrentHashMap<>();
    private final AtomicInteger phase = new AtomicInteger(WAITING);
    private volatile boolean cancelled;

    StoreCapture(OffHeapMap map) {
        this.map = map;
    }

    /** Called by the writer holding the write lock of the row's segment, before it changes the row. */
    void beforeChange(byte[] row, int segment, Supplier<byte[]> current) {
        if (segment >= segmentsRead) {
            preserved.computeIfAbsent(new RowKey(row), r -> {
                byte[] bytes = current.get();
                return bytes == null ? ABSENT : bytes;
            });
        }
    }

    /** Starts the read: false when the capture was given up before. */
    boolean beginRead() {
        return phase.compareAndSet(WAITING, READING);
    }

    /** Whether the capture was given up: a read stops at its next segment. */
    boolean cancelled() {
        return cancelled;
    }

    /** Ends the read and releases the map. */
    void endRead() {
        if (phase.compareAndSet(READING, DONE)) {
            map.release();
        }
    }

    /** Gives the capture up: the map goes at once if no read began, else when the read stops. */
    void cancel() {
        cancelled = true;
        if (phase.compareAndSet(WAITING, DONE)) {
            map.release();
        }
    }
}
