package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static dev.cairn.examples.offers.JobRunner.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.ledger.LedgerTakenOverException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that goes on after another process took its job over (a process that stalled past its
 * group's session timeout while its range moved): the new run claims the ledger before it
 * restores, so the old one records no snapshot past that point, commits nothing the new run does
 * not restore, and ends instead of restarting. Together they write the output exactly once.
 */
class TakenOverRunTest {

    static final long SEED = 17;
    static final int EVENTS = 24_000;
    static final int SKUS = 400;

    @TempDir
    Path dir;

    @Test
    void aRunWhoseJobWasTakenOverRecordsAndCommitsNothingMoreAndIsNotRestarted() throws Exception {
        Path storage = dir.resolve("snapshots");
        Path output = dir.resolve("out");
        JobConfig cfg = config(storage, 2, false, 2);
        JobMaster stalled = JobRunner.start(OfferEnrichmentJob.build("taken", SEED, EVENTS, SKUS, output, 2_000), cfg);
        waitUntil(() -> stalled.lastCompletedCheckpointId() >= 2, "two checkpoints of the first run");

        JobMaster next = JobRunner.start(OfferEnrichmentJob.build("taken", SEED, EVENTS, SKUS, output, 0), cfg);
        assertThat(stalled.await(Duration.ofMinutes(2))).as("the run taken over: %s", JobRunner.messages(stalled.failureCause()))
                .isEqualTo(JobStatus.FAILED);
        // it ends at its next ledger write, or at the claim of its restart when its sink failed first (the new run aborted its files)
        assertThat(java.util.stream.Stream.iterate(stalled.failureCause(), c -> c != null, Throwable::getCause))
                .hasAtLeastOneElementOfType(LedgerTakenOverException.class);
        assertThat(next.await(Duration.ofMinutes(2))).as("failure: %s", JobRunner.messages(next.failureCause())).isEqualTo(JobStatus.FINISHED);

        List<String> expected = Timeline.of(SEED, EVENTS, SKUS).expectedOutput();
        assertThat(TransactionalFileSink.readCommitted(output)).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }
}
