package dev.cairn.api.job;

import java.time.Duration;

/**
 * Checkpoint options as Flink users know them. {@code incremental} asks the backend for its
 * incremental format (only what changed since the last completed checkpoint is written).
 * {@code inlineThreshold}: a snapshot file of at most this many bytes goes into the metadata
 * instead of an object of its own (Flink's {@code state.storage.fs.memory-threshold}), so that
 * small state costs no requests on object stores; 0 turns it off.
 * {@code unaligned}: a periodic checkpoint's barriers overtake the records queued between subtasks,
 * which become part of the checkpoint, so that a backpressured job checkpoints without waiting for
 * its queues to drain (Flink's unaligned checkpoints); savepoints stay aligned. With
 * {@code alignedTimeout} above zero, a checkpoint starts aligned and turns unaligned at a subtask
 * whose alignment is still waiting that long after the checkpoint was triggered.
 */
public record CheckpointConfig(Duration interval, Duration timeout, Duration minPause, int maxConcurrent,
                               int tolerableFailures, int retained, boolean incremental, int inlineThreshold,
                               boolean unaligned, Duration alignedTimeout) {

    public static final int DEFAULT_INLINE_THRESHOLD = 20 * 1024;
    public static final int MAX_INLINE_THRESHOLD = 1024 * 1024;

    public CheckpointConfig {
        requirePositive("checkpoint.interval", interval);
        requirePositive("checkpoint.timeout", timeout);
        if (minPause == null || minPause.isNegative()) {
            throw new IllegalArgumentException("checkpoint.min-pause=" + minPause + " is not allowed: use a duration >= 0");
        }
        requireAtLeast("checkpoint.max-concurrent", maxConcurrent, 1);
        requireAtLeast("checkpoint.tolerable-failures", tolerableFailures, 0);
        requireAtLeast("checkpoint.retained", retained, 1);
        if (inlineThreshold < 0 || inlineThreshold > MAX_INLINE_THRESHOLD) {
            throw new IllegalArgumentException("checkpoint.inline-threshold=" + inlineThreshold
                    + " is not allowed: use a number of bytes from 0 to " + MAX_INLINE_THRESHOLD);
        }
        if (alignedTimeout == null || alignedTimeout.isNegative()) {
            throw new IllegalArgumentException("checkpoint.aligned-timeout=" + alignedTimeout + " is not allowed: use a duration >= 0");
        }
    }

    /** Aligned checkpoints only. */
    public CheckpointConfig(Duration interval, Duration timeout, Duration minPause, int maxConcurrent,
                            int tolerableFailures, int retained, boolean incremental, int inlineThreshold) {
        this(interval, timeout, minPause, maxConcurrent, tolerableFailures, retained, incremental, inlineThreshold, false, Duration.ZERO);
    }

    public static CheckpointConfig defaults() {
        return new CheckpointConfig(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ZERO, 1, 0, 1, false, DEFAULT_INLINE_THRESHOLD);
    }

    public CheckpointConfig withInterval(Duration d) {
        return new CheckpointConfig(d, timeout, minPause, maxConcurrent, tolerableFailures, retained, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withTimeout(Duration d) {
        return new CheckpointConfig(interval, d, minPause, maxConcurrent, tolerableFailures, retained, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withMinPause(Duration d) {
        return new CheckpointConfig(interval, timeout, d, maxConcurrent, tolerableFailures, retained, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withMaxConcurrent(int n) {
        return new CheckpointConfig(interval, timeout, minPause, n, tolerableFailures, retained, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withTolerableFailures(int n) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, n, retained, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withRetained(int n) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, n, incremental, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withIncremental(boolean b) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, retained, b, inlineThreshold, unaligned, alignedTimeout);
    }

    public CheckpointConfig withInlineThreshold(int bytes) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, retained, incremental, bytes, unaligned, alignedTimeout);
    }

    /** Unaligned periodic checkpoints, starting unaligned at once ({@code alignedTimeout} zero) or after that long. */
    public CheckpointConfig withUnaligned(boolean b, Duration alignedTimeout) {
        return new CheckpointConfig(interval, timeout, minPause, maxConcurrent, tolerableFailures, retained, incremental, inlineThreshold,
                b, alignedTimeout);
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
