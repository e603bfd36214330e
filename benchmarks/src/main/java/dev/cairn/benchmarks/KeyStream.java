package dev.cairn.benchmarks;

import java.util.SplittableRandom;

/**
 * Pre-drawn keys, so that drawing costs nothing inside a measured operation. {@code zipf}
 * approximates Zipf's law with exponent 1 (rank {@code N^u} for uniform {@code u}), its ranks
 * scattered over the key space so hot keys fall into different key groups.
 */
final class KeyStream {

    private static final int SAMPLES = 1 << 22;

    private final long[] keys = new long[SAMPLES];
    private int next;

    KeyStream(String distribution, int keyCount, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < SAMPLES; i++) {
            keys[i] = switch (distribution) {
                case "uniform" -> random.nextInt(keyCount);
                case "zipf" -> scatter((long) Math.pow(keyCount, random.nextDouble()) - 1, keyCount);
                default -> throw new IllegalArgumentException("distribution " + distribution + ": use uniform or zipf");
            };
        }
    }

    private static long scatter(long rank, int keyCount) {
        return Math.floorMod(rank * 0x9E3779B97F4A7C15L, keyCount);
    }

    long next() {
        long k = keys[next];
        next = (next + 1) & (SAMPLES - 1);
        return k;
    }
}
