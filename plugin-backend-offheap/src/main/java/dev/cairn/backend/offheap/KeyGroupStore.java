package dev.cairn.backend.offheap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
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
    private static final Logger LOG = Logger.getLogger(KeyGroupStore.class.getName());
    static final long FIRST_ENTRIES = 1024;
    /** Moves to larger segments a row may cause before its write fails. */
    private static final int MAX_MOVES_FOR_A_ROW = 8;
    /** A new map is planned for this many times the rows and bytes the store holds when it moves. */
    private static final int GROWTH = 4;

    private final Path directory;
    private final String name;
    /** What the store is, for messages: its state and key group. */
    private final String label;
    private final List<StoreCapture> captures = new CopyOnWriteArrayList<>();
    /** What changed since the checkpoint incremental ones build on; a restore's rows are not logged. */
    final ChangeLog changes;
    private OffHeapMap current;
    private int generation;
    private long size;
    private long keyBytes;
    private long valueBytes;

    /** {@code logChanges}: the backend takes incremental checkpoints, and this new, empty store logs its changes from the start. */
    KeyGroupStore(Path directory, String name, String label, boolean logChanges) {
        this.changes = new ChangeLog(logChanges);
        this.directory = directory;
        this.name = name;
        this.label = label;
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
        changes.append(row, keyBytes + valueBytes);
        if (current == null) {
            current = OffHeapMap.create(file(), FIRST_ENTRIES, row.length, value.length);
        }
        writeOrMove(row, value);
    }

    /** Puts many rows at once (a restore): an empty store first gets a map sized for them. */
    void load(Map<RowKey, byte[]> rows) {
        if (current == null && !rows.isEmpty()) {
            long keys = 0;
            long values = 0;
            for (Map.Entry<RowKey, byte[]> r : rows.entrySet()) {
                keys += r.getKey().bytes().length;
                values += r.getValue().length;
            }
            current = OffHeapMap.create(file(), Math.max(FIRST_ENTRIES, rows.size() * 2L), (double) keys / rows.size(),
                    (double) values / rows.size());
        }
        rows.forEach((row, value) -> writeOrMove(row.bytes(), value));
    }

    void remove(byte[] row) {
        if (current != null) {
            changes.append(row, keyBytes + valueBytes);
            writeOrMove(row, null);
        }
    }

    /**
     * Writes the row, moving the rows to a bigger map once they outgrow the plan of the current
     * one: more rows, or more bytes (lists that grow), than it was sized for. Chronicle also
     * refuses an entry when the segment it hashes to has no room left (a skewed or very large
     * row): the store then moves to a map with larger segments and writes again.
     */
    private void writeOrMove(byte[] row, byte[] value) {
        for (int attempt = 1; ; attempt++) {
            try {
                write(row, value);
                break;
            } catch (IllegalStateException | IllegalArgumentException full) {
                if (value == null || attempt > MAX_MOVES_FOR_A_ROW) {
                    throw new IllegalStateException("Cannot " + (value == null ? "remove a row" : "store a row of " + value.length + " bytes")
                            + " in " + label + " (" + current.file() + ", " + size + " rows) after " + (attempt - 1)
                            + " moves to bigger maps: " + full.getMessage(), full);
                }
                // larger segments, by doubling: a map planned for rows this large throughout would be mostly empty
                move(Math.max(current.entries, size * GROWTH), Math.max(2 * current.averageValueSize, value.length / 64.0));
            }
        }
        if (size > current.entries || keyBytes + valueBytes > current.plannedBytes()) {
            try {
                move(Math.max(FIRST_ENTRIES, size * GROWTH), (double) valueBytes / Math.max(1, size));
            } catch (RuntimeException e) {
                // the row is written; the current map takes more rows past its plan (Chronicle chains segments) until a move succeeds
                LOG.warning("Cannot move " + label + " to a bigger map yet (" + e + "); it stays in " + current.file());
            }
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
            if (entry != null) {
                long old = entry.value().size();
                if (value == null) {
                    c.remove(entry);
                    size--;
                    keyBytes -= row.length;
                    valueBytes -= old;
                } else {
                    c.replaceValue(entry, c.wrapValueAsData(value));
                    valueBytes += value.length - old;
                }
            } else if (value != null) {
                c.insert(c.absentEntry(), c.wrapValueAsData(value));
                size++;
                keyBytes += row.length;
                valueBytes += value.length;
            }
        }
    }

    /** Moves every row into a new map planned for {@code entries} rows of the given average value size. */
    private void move(long entries, double averageValueSize) {
        OffHeapMap old = current;
        OffHeapMap bigger = OffHeapMap.create(file(), entries, (double) keyBytes / Math.max(1, size), averageValueSize);
        try {
            old.map.forEachEntry(e -> bigger.map.put(e.key().getUsing(null), e.value().getUsing(null)));
        } catch (RuntimeException e) {
            bigger.release();
            throw e;
        }
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

    /** Takes rows as a snapshot reads them. */
    @FunctionalInterface
    interface RowSink {
        void accept(byte[] row, byte[] value) throws IOException;
    }

    /** Reads every row as of the capture's moment, segment by segment, then releases the capture. */
    void read(StoreCapture capture, RowSink rows) throws IOException {
        if (!capture.beginRead()) {
            throw new IOException("The snapshot of " + label + " was given up before it was read");
        }
        try {
            int segments = capture.map.map.segments();
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < segments; i++) {
                if (capture.cancelled()) {
                    throw new IOException(label + " closed while a snapshot read it");
                }
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
            for (Map.Entry<RowKey, byte[]> e : capture.preserved.entrySet()) {
                if (e.getValue() != StoreCapture.ABSENT) {
                    rows.accept(e.getKey().bytes(), e.getValue());
                }
            }
        } finally {
            captures.remove(capture);
            capture.endRead();
        }
    }

    /** Reads rows by row key, as of a capture's moment. */
    @FunctionalInterface
    interface CapturedRows {
        /** The row's value when the capture was taken, {@code null} when it had none. */
        byte[] get(byte[] row) throws IOException;
    }

    /** What reads single rows of a capture, given a {@link CapturedRows} for as long as it runs. */
    @FunctionalInterface
    interface CapturedRowsReader {
        void read(CapturedRows rows) throws IOException;
    }

    /**
     * Reads single rows as of the capture's moment (an incremental checkpoint reads the rows that
     * changed), then releases the capture. The capture's segments count as unread throughout, so
     * every row the task changes meanwhile keeps its bytes of that moment; a row is looked up
     * under its segment's lock, where the writer keeps them before it changes the row.
     */
    void readRows(StoreCapture capture, CapturedRowsReader reader) throws IOException {
        if (!capture.beginRead()) {
            throw new IOException("The snapshot of " + label + " was given up before it was read");
        }
        try {
            reader.read(row -> {
                if (capture.cancelled()) {
                    throw new IOException(label + " closed while a snapshot read it");
                }
                try (ExternalMapQueryContext<byte[], byte[], ?> c = capture.map.map.queryContext(row)) {
                    c.readLock().lock();
                    byte[] kept = capture.preserved.isEmpty() ? null : capture.preserved.get(new RowKey(row));
                    if (kept != null) {
                        return kept == StoreCapture.ABSENT ? null : kept;
                    }
                    MapEntry<byte[], byte[]> entry = c.entry();
                    return entry == null ? null : entry.value().getUsing(null);
                }
            });
        } finally {
            captures.remove(capture);
            capture.endRead();
        }
    }

    /** Gives up a capture that may not have been read. */
    void release(StoreCapture capture) {
        captures.remove(capture);
        capture.cancel();
    }

    /** Every row now (task thread). */
    void forEach(BiConsumer<byte[], byte[]> rows) {
        if (current != null) {
            List<byte[][]> all = new ArrayList<>();
            current.map.forEachEntry(e -> all.add(new byte[][] {e.key().getUsing(null), e.value().getUsing(null)}));
            all.forEach(r -> rows.accept(r[0], r[1]));
        }
    }

    /** Releases the map; a snapshot still reading it keeps it until its read stops. */
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
