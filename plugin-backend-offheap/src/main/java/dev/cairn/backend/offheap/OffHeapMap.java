package dev.cairn.backend.offheap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final Path file;
    private int references = 1;

    private OffHeapMap(ChronicleMap<byte[], byte[]> map, long entries, Path file) {
        this.map = map;
        this.entries = entries;
        this.file = file;
    }

    static OffHeapMap create(Path file, long entries, double averageKeySize, double averageValueSize) {
        try {
            Files.deleteIfExists(file);
            ChronicleMap<byte[], byte[]> map = ChronicleMap.of(byte[].class, byte[].class)
                    .name(file.getFileName().toString())
                    .entries(entries)
                    .averageKeySize(Math.max(1, averageKeySize))
                    .averageValueSize(Math.max(1, averageValueSize))
                    .maxBloatFactor(MAX_BLOAT)
                    .createPersistedTo(file.toFile());
            return new OffHeapMap(map, entries, file);
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

    long memoryUsed() {
        return map.offHeapMemoryUsed();
    }
}
