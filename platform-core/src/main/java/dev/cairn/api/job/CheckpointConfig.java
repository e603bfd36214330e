package dev.cairn.api.job;

import java.time.Duration;

/**
 * Checkpoint options as Flink users know them. {@code incremental} asks the backend for its
 * incremental format (only what changed since the last completed checkpoint is written).
 */
public record CheckpointConfig(Duration interval, Duration timeout, Duration minPause, int maxConcurrent,
                               int tolerableFailures, int retained, boolean incremental) {

    public CheckpointConfig {
        requirePositive("checkpoint.interval", interval);
        requirePositive("checkpoint.timeout", timeout);
        if (minPause == null || minPause.isNegative()) {
            throw new IllegalArgumentException("checkpoint.min-pause=" + minPause + " is not allowed: use a duration >= 0");
        }
        requireAtLeast("checkpoint.max-concurrent", maxConcurrent, 1);
        requireAtLeast("checkpoint.tolerable-failures", tolerableFailures, 0);
        requireAtLeast("checkpoint.retained", retained, 1);
    }

    public static CheckpointConfig defaults() {
        return new CheckpointConfig(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ZERO, 1, 0, 1, false);
    }

    public CheckpointConfig withInterval(Duration d) {
        return new CheckpointConfig(d, timeout, minPause, maxConcurrent, tolerableFailures, retained, incremental);
    }

    public CheckpointConfig withTimeout(Duration d) {
        return new CheckpointConfig(interval, d, minPause, maxConcurrent, tolerableFailures, retained, incremental);
    }

    public CheckpointConfig withMinPause(Duration d) {
        return new CheckpointConfig(interval, timeout, d, maxConcurrent, tolerableFailures, retained, incremental);
    }

    public CheckpointConfig withMaxConcurrent(int n) {
        return new CheckpointConfig(interval, timeout, minPause, n, tolerableFailures, retained, incremental);
    }

    public CheckpointConfig withTolerableFailures(int n) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, n, retained, incremental);
    }

    public CheckpointConfig withRetained(int n) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, n, incremental);
    }

    public CheckpointConfig withIncremental(boolean b) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, retained, b);
    }

    private static void requirePositive(String property, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(property + "=" + d + " is not allowed: use a positive duration");
        }
    }

    private static void requireAtLeast(String property, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(property + "=" + value + " is not allowed: use an integer >= " + min);
        }
    }
}
