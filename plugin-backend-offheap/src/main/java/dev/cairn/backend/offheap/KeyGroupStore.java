package dev.cairn.backend.offheap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

/**
 * The rows of one state in one key group, in a Chronicle Map of their own, created on the first
 * write. Chronicle Map is sized at creation: when the rows outgrow the planned entries the store
 * moves them into a map four times larger, sized by the rows' actual average lengths (one move
 * per quadrupling, so each row is moved about a third of a time on average). Written by the task
 * thread only; snapshots read it through {@link StoreCapture}s.
 */
final class KeyGroupStore {
    static final long FIRST_ENTRIES = 1024;
    private static final int GROWTH = 4;

    private final Path directory;
    private final String name;
    private final List<StoreCapture> captures = new CopyOnWriteArrayList<>();
    private OffHeapMap current;
    private int generation;
    private long size;
    private long insertedKeyBytes;
    private long insertedValueBytes;
    private long inserts;

    KeyGroupStore(Path directory, String name) {
        this.directory = directory;
        this.name = name;
    }

    long size() {
        return size;
    }

    /** The entries the current map was planned for. */
    long capacity() {
        return current == null ? 0 : current.entries;
    }

    byte[] get(byte[] row) {
        return current == null ? null : current.map.get(row);
    }

    void put(byte[] row, byte[] value) {
        if (current == null) {
            current = OffHeapMap.create(file(), FIRST_ENTRIES, row.length, value.length);
        }
        write(row, value);
        if (size > current.entries) {
            grow();
        }
    }

    void remove(byte[] row) {
        if (current != null) {
            write(row, null);
        }
    }

    private void write(byte[] row, byte[] value) {
        try (ExternalMapQueryContext<byte[], byte[], ?> c = current.map.queryContext(row)) {
            c.writeLock().lock();
            MapEntry<byte[], byte[]> entry = c.entry();
            if (!captures.isEmpty()) {
                int segment = c.segmentIndex();
                for (StoreCapture capture : captures) {
                    if (capture.map == current) {
                        capture.beforeChange(row, segment, () -> entry == null ? null : entry.value().getUsing(null));
                    }
                }
            }
            if (value == null) {
                if (entry != null) {
                    c.remove(entry);
                    size--;
                }
            } else if (entry != null) {
                c.replaceValue(entry, c.wrapValueAsData(value));
            } else {
                c.insert(c.absentEntry(), c.wrapValueAsData(value));
                size++;
                inserts++;
                insertedKeyBytes += row.length;
                insertedValueBytes += value.length;
            }
        }
    }

    private void grow() {
        OffHeapMap old = current;
        double averageKey = (double) insertedKeyBytes / inserts;
        double averageValue = (double) insertedValueBytes / inserts;
        OffHeapMap bigger = OffHeapMap.create(file(), old.entries * GROWTH, averageKey, averageValue);
        old.map.forEachEntry(e -> bigger.map.put(e.key().getUsing(null), e.value().getUsing(null)));
        current = bigger;
        old.release(); // snapshots that captured it keep it open until they are done
    }

    private Path file() {
        return directory.resolve(name + "-" + (generation++) + ".cm");
    }

    /** The store as a snapshot sees it from now on; {@code null} when it holds nothing. */
    StoreCapture capture() {
        if (current == null || size == 0) {
            return null;
        }
        current.retain();
        StoreCapture capture = new StoreCapture(current);
        captures.add(capture);
        return capture;
    }

    /** Reads every row as of the capture's moment, segment by segment, then releases the capture. */
    void read(StoreCapture capture, BiConsumer<byte[], byte[]> rows) {
        try {
            int segments = capture.map.map.segments();
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < segments; i++) {
                batch.clear();
                try (MapSegmentContext<byte[], byte[], ?> c = capture.map.map.segmentContext(i)) {
                    c.forEachSegmentEntry(e -> {
                        batch.add(e.key().getUsing(null));
                        batch.add(e.value().getUsing(null));
                    });
                    capture.segmentsRead = i + 1; // under the segment's lock: the writer sees it there
                }
                // outside the lock: the task thread waits on a segment only while it is copied
                for (int j = 0; j < batch.size(); j += 2) {
                    byte[] row = batch.get(j);
                    if (capture.preserved.isEmpty() || !capture.preserved.containsKey(new RowKey(row))) {
                        rows.accept(row, batch.get(j + 1));
                    }
                }
            }
            capture.preserved.forEach((row, bytes) -> {
                if (bytes != StoreCapture.ABSENT) {
                    rows.accept(row.bytes(), bytes);
                }
            });
        } finally {
            release(capture);
        }
    }

    void release(StoreCapture capture) {
        if (captures.remove(capture)) {
            capture.map.release();
        }
    }

    /** Every row now (task thread). */
    void forEach(BiConsumer<byte[], byte[]> rows) {
        if (current != null) {
            List<byte[][]> all = new ArrayList<>();
            current.map.forEachEntry(e -> all.add(new byte[][] {e.key().getUsing(null), e.value().getUsing(null)}));
            all.forEach(r -> rows.accept(r[0], r[1]));
        }
    }

    long memoryUsed() {
        return current == null ? 0 : current.memoryUsed();
    }

    void close() {
        for (StoreCapture capture : captures) {
            release(capture);
        }
        if (current != null) {
            current.release();
            current = null;
        }
        size = 0;
    }
}
