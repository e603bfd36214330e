package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.core.internal.checkpoint.JobMetrics.CheckpointStats;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code checkpoint.min-pause}: however short the interval, the next periodic checkpoint starts no
 * sooner than the pause after the previous one completed. Only a lower bound is asserted, which a
 * slow machine cannot break.
 */
class CheckpointPacingTest {

    private static final long MIN_PAUSE_MS = 250;

    @TempDir
    Path dir;

    @Test
    void theNextCheckpointWaitsTheMinimumPauseAfterTheLastCompleted() throws Exception {
        JobConfig config = JobRunner.config(dir.resolve("snapshots"), 2, false, 2)
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(10)).withMinPause(Duration.ofMillis(MIN_PAUSE_MS))
                        .withMaxConcurrent(1).withRetained(2));
        // throttled and long: the job runs until the checkpoints happened, and no final checkpoint comes in between
        JobMaster job = JobRunner.start(OfferEnrichmentJob.build("pacing", 3, 1_000_000, 100, dir.resolve("out"), 2_000), config);
        try {
            JobRunner.waitUntil(() -> job.metrics().completedCheckpoints() >= 5, "five checkpoints");
        } finally {
            job.cancel();
        }
        List<CheckpointStats> history = job.metrics().checkpointHistory().stream().sorted(Comparator.comparingLong(CheckpointStats::id)).toList();
        assertThat(history).hasSizeGreaterThanOrEqualTo(5);
        for (int i = 1; i < history.size(); i++) {
            CheckpointStats previous = history.get(i - 1);
            CheckpointStats next = history.get(i);
            long triggeredAt = next.completedAt() - next.durationMillis();
            assertThat(triggeredAt - previous.completedAt()).as("pause between checkpoint %d and %d", previous.id(), next.id())
                    .isGreaterThanOrEqualTo(MIN_PAUSE_MS);
        }
    }
}
