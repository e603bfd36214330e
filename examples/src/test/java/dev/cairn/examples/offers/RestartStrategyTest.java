package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static dev.cairn.examples.offers.JobRunner.start;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestartStrategy;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart strategy decides how often a failing job restarts (the pauses and the start-over
 * after a quiet period are in {@code RestartPolicyTest}, on a clock the test moves).
 */
class RestartStrategyTest {

    @TempDir
    Path dir;

    /** Fails every attempt at its first record, so only the strategy ends the job. */
    private JobMaster alwaysFailing(RestartStrategy strategy) throws IOException {
        return start(OfferEnrichmentJob.build("restarting", 42, 1_000, 10, dir.resolve("out"), 0),
                config(dir.resolve("snapshots"), 1, false, 1).withRestarts(strategy),
                (point, uid, subtask, checkpointId) -> {
                    if (point == FailureInjector.Point.PROCESS_RECORD) {
                        throw new IllegalStateException("injected failure");
                    }
                });
    }

    private static void assertFailsAfter(JobMaster job, int restarts) throws InterruptedException {
        assertThat(job.await(Duration.ofMinutes(2))).isEqualTo(JobStatus.FAILED);
        assertThat(job.restarts()).isEqualTo(restarts);
        assertThat(JobRunner.messages(job.failureCause())).contains("injected failure");
    }

    @Test
    void exponentialDelayFailsTheJobAfterItsRestarts() throws Exception {
        assertFailsAfter(alwaysFailing(RestartStrategy.exponentialDelay(Duration.ofMillis(1), Duration.ofMillis(8), 2.0,
                Duration.ofHours(1), 4)), 4);
    }

    @Test
    void failureRateFailsTheJobWhenTooManyFailuresFallWithinTheInterval() throws Exception {
        assertFailsAfter(alwaysFailing(RestartStrategy.failureRate(2, Duration.ofHours(1), Duration.ofMillis(1))), 2);
    }

    @Test
    void fixedDelayFailsTheJobAfterMaxRestarts() throws Exception {
        assertFailsAfter(alwaysFailing(RestartStrategy.fixedDelay(3, Duration.ofMillis(1))), 3);
    }
}
