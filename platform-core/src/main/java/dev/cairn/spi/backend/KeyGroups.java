package dev.cairn.spi.backend;

/**
 * Key-to-key-group and key-group-to-subtask assignment. Every backend, the router and the restore
 * path use this one definition; changing it would scramble every existing snapshot.
 */
public final class KeyGroups {
    private KeyGroups() {
    }

    public static int keyGroupFor(Object key, int maxParallelism) {
        return Math.floorMod(murmurFinalize(key.hashCode()), maxParallelism);
    }

    /** The key group of {@code key}, which must be one of {@code range}: what a backend checks when the current key changes. */
    public static int keyGroupIn(Object key, int maxParallelism, KeyGroupRange range) {
        int kg = keyGroupFor(key, maxParallelism);
        if (!range.contains(kg)) {
            throw new IllegalArgumentException("Key " + key + " is in key group " + kg + ", outside this subtask's range " + range);
        }
        return kg;
    }

    /** The key groups subtask {@code index} of {@code parallelism} owns. */
    public static KeyGroupRange rangeForSubtask(int maxParallelism, int parallelism, int index) {
        // the exact inverse of subtaskFor: key group g belongs to floor(g * parallelism / maxParallelism)
        int start = (int) (((long) index * maxParallelism + parallelism - 1) / parallelism);
        int end = (int) (((long) (index + 1) * maxParallelism - 1) / parallelism);
        return new KeyGroupRange(start, end);
    }

    public static int subtaskFor(int keyGroup, int maxParallelism, int parallelism) {
        return (int) (((long) keyGroup * parallelism) / maxParallelism);
    }

    // spreads poor hashCodes (small integers, similar strings) over the key groups
    private static int murmurFinalize(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
