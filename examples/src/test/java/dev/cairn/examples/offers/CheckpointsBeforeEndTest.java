package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.job.JobMaster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code param.checkpoints-before-end}: sources that have read all their data wait for that many
 * completed checkpoints before they end, which tests that need checkpoints to happen rely on.
 */
class CheckpointsBeforeEndTest {

    private static final int EVENTS = 2_000;
    private static final int CHECKPOINTS = 100;

    @TempDir
    Path dir;

    @Test
    void aShortJobRunsUntilItsSourcesSawTheCheckpointsComplete() throws Exception {
        // unthrottled, 2,000 events are read in milliseconds, not in the 3 s that 100 checkpoints 30 ms apart take
        Path out = dir.resolve("out");
        JobMaster job = JobRunner.start(OfferEnrichmentJob.build("short", 5, EVENTS, 50, out, 0, 0, CHECKPOINTS),
                JobRunner.config(dir.resolve("snapshots"), 2, true, 2));
        assertThat(job.await(Duration.ofMinutes(2))).as("final status, cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
        assertThat(job.metrics().completedCheckpoints()).isGreaterThanOrEqualTo(CHECKPOINTS);
        OutputCheck.Result result = OutputCheck.check(out, 5, EVENTS, 50);
        assertThat(result.exactlyOnce()).as("%s", result).isTrue();
    }
}
