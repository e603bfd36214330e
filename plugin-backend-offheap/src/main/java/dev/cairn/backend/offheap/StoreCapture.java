package dev.cairn.backend.offheap;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What one snapshot holds of one {@link KeyGroupStore}: the map as it was when the snapshot's
 * synchronous part ran, read segment by segment later. Before the task changes a row in a segment
 * the snapshot has not read yet, the row's bytes of that moment go into {@link #preserved}
 * ({@link #ABSENT} when it had none); the snapshot then takes the preserved bytes instead of the
 * row. Rows in segments already read need nothing. This is copy-on-write per entry, for the
 * entries that change while a snapshot runs.
 */
final class StoreCapture {
    static final byte[] ABSENT = new byte[0];

    final OffHeapMap map;
    /** Segments of {@link #map} read so far; written under the segment's lock, read under it by the writer. */
    volatile int segmentsRead;
    final ConcurrentHashMap<RowKey, byte[]> preserved = new ConcurrentHashMap<>();

    StoreCapture(OffHeapMap map) {
        this.map = map;
    }

    /** Called by the writer holding the write lock of the row's segment, before it changes the row. */
    void beforeChange(byte[] row, int segment, java.util.function.Supplier<byte[]> current) {
        if (segment >= segmentsRead) {
            preserved.computeIfAbsent(new RowKey(row), r -> {
                byte[] bytes = current.get();
                return bytes == null ? ABSENT : bytes;
            });
        }
    }
}
