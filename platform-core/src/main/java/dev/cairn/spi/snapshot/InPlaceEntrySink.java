package dev.cairn.spi.snapshot;

import java.io.IOException;

/**
 * A {@link StateEntrySink} that takes a restore's entries where they lie in the section's bytes,
 * without a copy of each part. The kernel hands it only arrays of its own that nothing changes
 * afterwards (sections in its {@link SnapshotFormat#FULL} format as read from storage, key groups
 * it regrouped for a new key-group count), so the sink may keep one instead of copying what it
 * keeps: a heap backend keeps values in their bytes until they are written. Other entries
 * (sections of a format plugin, sections merged with their deltas) come through {@link
 * #accept(int, byte[], int, int, int, int)}.
 *
 * @since 1.5
 */
public interface InPlaceEntrySink extends StateEntrySink {

    /**
     * One entry: each part at its offset in {@code section}; {@code mapKeyOffset} and {@code
     * mapKeyLength} are -1 when the entry has no map key. In the kernel's framing, the value's
     * length, a varint, lies just before {@code valueOffset}.
     */
    void acceptInPlace(int state, byte[] section, int keyOffset, int keyLength, int namespaceOffset, int namespaceLength,
                       int mapKeyOffset, int mapKeyLength, int valueOffset, int valueLength) throws IOException;
}
