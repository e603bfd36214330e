package dev.cairn.backend.offheap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.hash.serialization.impl.ByteArraySizedReader;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * One Chronicle Map in a memory-mapped file, shared by the store that writes it and the snapshots
 * still reading it: the file is closed and deleted once the last of them released it (a store
 * that grew hands its old map to the snapshots that captured it).
 */
final class OffHeapMap {
    /** Past its planned entries a segment may chain this many times its size before Chronicle refuses an insert. */
    private static final double MAX_BLOAT = 4.0;

    final ChronicleMap<byte[], byte[]> map;
    final long entries;
    final double averageKeySize;
    final double averageValueSize;
    private final Path file;
    private int references = 1;

    private OffHeapMap(ChronicleMap<byte[], byte[]> map, long entries, double averageKeySize, double averageValueSize, Path file) {
        this.map = map;
        this.entries = entries;
        this.averageKeySize = averageKeySize;
        this.averageValueSize = averageValueSize;
        this.file = file;
    }

    /** The bytes of keys and values the map was sized for. */
    double plannedBytes() {
        return entries * (averageKeySize + averageValueSize);
    }

    Path file() {
        return file;
    }

    static OffHeapMap create(Path file, long entries, double averageKeySize, double averageValueSize) {
        try {
            Files.deleteIfExists(file);
            double keySize = Math.max(1, averageKeySize);
            double valueSize = Math.max(1, averageValueSize);
            ChronicleMap<byte[], byte[]> map = ChronicleMap.of(byte[].class, byte[].class)
                    .name(file.getFileName().toString())
                    .entries(entries)
                    .averageKeySize(keySize)
                    .averageValueSize(valueSize)
                    .maxBloatFactor(MAX_BLOAT)
                    .keyReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new RowBytesAccess())
                    .valueReaderAndDataAccess(ByteArraySizedReader.INSTANCE, new RowBytesAccess())
                    // a map never outlives its run (a restart restores from a snapshot): no checksum per entry
                    .checksumEntries(false)
                    .createPersistedTo(file.toFile());
            return new OffHeapMap(map, entries, keySize, valueSize, file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the off-heap map " + file, e);
        }
    }

    synchronized void retain() {
        if (references == 0) {
            throw new IllegalStateException("The off-heap map " + file + " is closed");
        }
        references++;
    }

    synchronized void release() {
        if (references == 0) {
            return;
        }
        if (--references == 0) {
            map.close();
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the working directory goes with the subtask anyway
            }
        }
    }
}
