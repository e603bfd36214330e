package dev.cairn.api.job;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How one job instance runs: parallelism, key groups, which plugins (by name), checkpointing,
 * restarts and where to restore from.
 *
 * @param backend                name of the state backend plugin ({@code heap}, …)
 * @param storage                name of the snapshot storage plugin ({@code file}, …)
 * @param storageConfig          that plugin's configuration ({@code root} for {@code file})
 * @param restarts               whether and when the job restarts after a task failure
 * @param fallbackToPreviousCheckpoint when the newest checkpoint is damaged, restore the one before it
 * @param restore                {@code null} for a fresh start
 */
public record JobConfig(int parallelism, int maxParallelism, String backend, String storage,
                        Map<String, String> storageConfig, CheckpointConfig checkpoints, RestartStrategy restarts,
                        boolean fallbackToPreviousCheckpoint, RestoreSettings restore) {

    public static final int MAX_MAX_PARALLELISM = 1 << 15;

    public JobConfig {
        if (maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
            throw new IllegalArgumentException("job.max-parallelism=" + maxParallelism
                    + " is not allowed: use an integer from 1 to " + MAX_MAX_PARALLELISM);
        }
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException("job.parallelism=" + parallelism
                    + " is not allowed: use an integer from 1 to job.max-parallelism (" + maxParallelism + ")");
        }
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(storage, "storage");
        storageConfig = Map.copyOf(storageConfig);
        Objects.requireNonNull(checkpoints, "checkpoints");
        Objects.requireNonNull(restarts, "restarts");
    }

    /** Heap backend, local storage under {@code root}, parallelism 1, 128 key groups. */
    public static JobConfig defaults(String root) {
        return new JobConfig(1, 128, "heap", "file", Map.of("root", root), CheckpointConfig.defaults(),
                RestartStrategy.fixedDelay(3, Duration.ofMillis(100)), false, null);
    }

    public JobConfig withParallelism(int p) {
        return new JobConfig(p, maxParallelism, backend, storage, storageConfig, checkpoints, restarts, fallbackToPreviousCheckpoint, restore);
    }

    public JobConfig withMaxParallelism(int p) {
        return new JobConfig(parallelism, p, backend, storage, storageConfig, checkpoints, restarts, fallbackToPreviousCheckpoint, restore);
    }

    /** Another storage plugin and its settings (the {@code storage.*} job properties without the prefix). */
    public JobConfig withStorage(String name, Map<String, String> settings) {
        return new JobConfig(parallelism, maxParallelism, backend, name, settings, checkpoints, restarts, fallbackToPreviousCheckpoint, restore);
    }

    public JobConfig withBackend(String b) {
        return new JobConfig(parallelism, maxParallelism, b, storage, storageConfig, checkpoints, restarts, fallbackToPreviousCheckpoint, restore);
    }

    public JobConfig withCheckpoints(CheckpointConfig c) {
        return new JobConfig(parallelism, maxParallelism, backend, storage, storageConfig, c, restarts, fallbackToPreviousCheckpoint, restore);
    }

    /** At most {@code max} restarts, each after {@code delay} (a {@link RestartStrategy#fixedDelay fixed delay}). */
    public JobConfig withRestarts(int max, Duration delay) {
        return withRestarts(RestartStrategy.fixedDelay(max, delay));
    }

    public JobConfig withRestarts(RestartStrategy r) {
        return new JobConfig(parallelism, maxParallelism, backend, storage, storageConfig, checkpoints, r, fallbackToPreviousCheckpoint, restore);
    }

    public JobConfig withFallbackToPreviousCheckpoint(boolean f) {
        return new JobConfig(parallelism, maxParallelism, backend, storage, storageConfig, checkpoints, restarts, f, restore);
    }

    public JobConfig withRestore(RestoreSettings r) {
        return new JobConfig(parallelism, maxParallelism, backend, storage, storageConfig, checkpoints, restarts, fallbackToPreviousCheckpoint, r);
    }
}
