package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static dev.cairn.examples.offers.JobRunner.start;
import static dev.cairn.examples.offers.JobRunner.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.InvalidSnapshotException;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.storage.LocalFileStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged, unsafe and mismatching snapshots: a clear error, and nothing lost. */
class BadSnapshotTest {

    static final int EVENTS = 20_000;
    static final int SKUS = 300;
    static final long SEED = 7;

    @TempDir
    Path dir;

    Path storage() {
        return dir.resolve("snapshots");
    }

    JobGraph offers(String name, int throttle) {
        return OfferEnrichmentJob.build(name, SEED, EVENTS, SKUS, dir.resolve("out"), throttle);
    }

    JobGraph counting(String name, String uid, boolean countAsString, boolean keepLastSeq, int throttle) {
        JobGraph.Builder b = JobGraph.builder(name);
        b.source("offers", new TimelineSource(SEED, EVENTS, SKUS, 4, TimelineSource.Kind.OFFERS, throttle))
                .keyBy(SkuEvent::sku, String.class)
                .process(uid, new CountPerKey(countAsString, keepLastSeq))
                .sinkTo("sink", new TransactionalFileSink(dir.resolve("count-out")));
        return b.build();
    }

    /** Every snapshot file an object of its own (none inlined into the metadata), so that tests can damage it. */
    dev.cairn.api.job.JobConfig noInlining(dev.cairn.api.job.JobConfig c) {
        return c.withCheckpoints(c.checkpoints().withInlineThreshold(0));
    }

    String savepointOf(JobGraph graph) throws Exception {
        JobMaster job = start(graph, noInlining(config(storage(), 2, false, 1)));
        waitUntil(() -> job.lastCompletedCheckpointId() >= 1, "a checkpoint");
        String sp = job.stopWithSavepoint("sp").get(60, TimeUnit.SECONDS);
        assertThat(job.await(Duration.ofSeconds(60))).isEqualTo(JobStatus.STOPPED);
        return sp;
    }

    static JobMaster awaitEnd(JobMaster job) throws InterruptedException {
        job.await(Duration.ofMinutes(2));
        return job;
    }

    @Test
    void aDamagedCheckpointFallsBackToThePreviousOneWhenAllowed() throws Exception {
        AtomicLong damaged = new AtomicLong(-1);
        FailureInjector damageThenFail = (point, uid, subtask, id) -> {
            if (point == FailureInjector.Point.AFTER_LEDGER_UPDATE && id >= 3 && damaged.compareAndSet(-1, id)) {
                Path file = storage().resolve("offers-f/chk-" + id + "/enrich/0/keyed-full.bin");
                JobRunner.flipByteInTheMiddle(file);
                throw new IllegalStateException("injected failure after damaging " + file);
            }
        };
        JobMaster job = start(offers("offers-f", 3_000), noInlining(config(storage(), 2, false, 3)).withFallbackToPreviousCheckpoint(true), damageThenFail);
        assertThat(awaitEnd(job).status()).as(JobRunner.messages(job.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertThat(damaged.get()).isGreaterThanOrEqualTo(3);
        assertThat(job.retainedCheckpoints()).noneMatch(c -> c.id() == damaged.get());
        assertThat(storage().resolve("offers-f/chk-" + damaged.get() + "/enrich/0/keyed-full.bin")).as("kept for inspection").exists();
        List<String> expected = Timeline.of(SEED, EVENTS, SKUS).expectedOutput();
        assertThat(TransactionalFileSink.readCommitted(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** With one retained checkpoint there is nothing older: the job fails, saying why, instead of replaying from empty state. */
    @Test
    void aDamagedOnlyCheckpointFailsTheJobInsteadOfRestartingFromEmptyState() throws Exception {
        AtomicLong damaged = new AtomicLong(-1);
        FailureInjector damageThenFail = (point, uid, subtask, id) -> {
            if (point == FailureInjector.Point.AFTER_LEDGER_UPDATE && id >= 3 && damaged.compareAndSet(-1, id)) {
                JobRunner.flipByteInTheMiddle(storage().resolve("offers-g/chk-" + id + "/enrich/0/keyed-full.bin"));
                throw new IllegalStateException("injected failure after damaging checkpoint " + id);
            }
        };
        JobMaster job = start(offers("offers-g", 3_000), noInlining(config(storage(), 2, false, 1)).withFallbackToPreviousCheckpoint(true),
                damageThenFail);
        assertThat(awaitEnd(job).status()).isEqualTo(JobStatus.FAILED);
        assertThat(JobRunner.messages(job.failureCause())).contains("offers-g/chk-" + damaged.get())
                .contains("no older completed snapshot").contains("checkpoint.retained=1").contains("CRC32C");
        List<String> committed = TransactionalFileSink.readCommitted(dir.resolve("out"));
        assertThat(committed).as("nothing committed twice").doesNotHaveDuplicates().isNotEmpty();
        assertThat(Timeline.of(SEED, EVENTS, SKUS).expectedOutput()).containsAll(committed);
        assertThat(storage().resolve("offers-g/chk-" + damaged.get() + "/enrich/0/keyed-full.bin")).as("kept for inspection").exists();
    }

    /** An unreadable old metadata file is reported by the ledger and skipped; the job's recovery never needs it. */
    @Test
    void anUnreadableOldMetadataFileDoesNotBlockListingOrRecovery() throws Exception {
        JobMaster a = start(offers("offers-h", 3_000), noInlining(config(storage(), 2, false, 3)));
        waitUntil(() -> a.retainedCheckpoints().size() >= 3, "three retained checkpoints");
        a.cancel();
        a.await(Duration.ofSeconds(60));
        List<CompletedSnapshot> retained = a.retainedCheckpoints();
        Path oldest = storage().resolve(retained.get(0).metadataPath());
        Files.delete(oldest);
        Files.writeString(oldest, "{ not json", StandardCharsets.UTF_8);
        var ledger = dev.cairn.core.internal.ledger.SnapshotLedger.open(
                new dev.cairn.core.internal.catalog.SnapshotCatalog(new LocalFileStorage(storage()), "offers-h"));
        var oldestEntry = ledger.entry(retained.get(0).directory()).orElseThrow();
        assertThat(ledger.unreadable(oldestEntry)).get().asString().contains(retained.get(0).metadataPath()).contains("not readable");
        assertThat(ledger.entries()).filteredOn(e -> ledger.unreadable(e).isEmpty()).hasSize(retained.size() - 1);
        JobMaster b = awaitEnd(start(offers("offers-h", 0), noInlining(config(storage(), 2, false, 3))));
        assertThat(b.status()).as(JobRunner.messages(b.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertThat(b.restarts()).isZero();
        assertThat(TransactionalFileSink.readCommitted(dir.resolve("out"))).containsExactlyInAnyOrderElementsOf(
                Timeline.of(SEED, EVENTS, SKUS).expectedOutput());
    }

    @Test
    void aDamagedSavepointFailsNamingTheFileAndTheChecksum() throws Exception {
        String sp = savepointOf(offers("offers-a", 1_000));
        Path file = storage().resolve(sp).resolve("enrich/1/keyed-full.bin");
        JobRunner.flipByteInTheMiddle(file);
        JobMaster b = awaitEnd(start(offers("offers-b", 0), config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp))));
        assertThat(b.status()).isEqualTo(JobStatus.FAILED);
        assertThat(JobRunner.messages(b.failureCause())).contains(sp + "/enrich/1/keyed-full.bin").contains("CRC32C").contains("damaged");
        assertThat(b.restarts()).as("a damaged snapshot is not retried").isZero();
    }

    @Test
    void metadataPointingOutsideTheRootIsRejected() throws Exception {
        String sp = savepointOf(offers("offers-a", 1_000));
        Path metadata = storage().resolve(sp).resolve("_metadata");
        String json = Files.readString(metadata);
        assertThat(json).contains("\"enrich/0/keyed-full.bin\"");
        Files.delete(metadata);
        Files.writeString(metadata, json.replace("\"enrich/0/keyed-full.bin\"", "\"../../../../etc/passwd\""), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> start(offers("offers-b", 0), config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp))))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("../../../../etc/passwd")
                .hasMessageContaining("outside the snapshot root");
    }

    @Test
    void aSavepointWithAnOperatorTheJobLacksFailsUnlessAllowed() throws Exception {
        String sp = savepointOf(counting("count-a", "count", false, false, 3_000));
        JobMaster b = awaitEnd(start(counting("count-b", "count-v2", false, false, 0),
                config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp))));
        assertThat(b.status()).isEqualTo(JobStatus.FAILED);
        assertThat(JobRunner.messages(b.failureCause())).contains("operator 'count'").contains("allowNonRestoredState");

        JobMaster c = awaitEnd(start(counting("count-c", "count-v2", false, false, 0),
                config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp).allowingNonRestoredState())));
        assertThat(c.status()).as(JobRunner.messages(c.failureCause())).isEqualTo(JobStatus.FINISHED);
    }

    @Test
    void aSavepointWithStateTheJobLacksFailsUnlessAllowed() throws Exception {
        String sp = savepointOf(counting("count-a", "count", false, true, 3_000));
        JobMaster b = awaitEnd(start(counting("count-b", "count", false, false, 0),
                config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp))));
        assertThat(b.status()).isEqualTo(JobStatus.FAILED);
        assertThat(JobRunner.messages(b.failureCause())).contains("[last-seq]").contains("'count'");

        JobMaster c = awaitEnd(start(counting("count-c", "count", false, false, 0),
                config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp).allowingNonRestoredState())));
        assertThat(c.status()).as(JobRunner.messages(c.failureCause())).isEqualTo(JobStatus.FINISHED);
    }

    @Test
    void anIncompatibleSerializerFailsNamingTheState() throws Exception {
        String sp = savepointOf(counting("count-a", "count", false, false, 3_000));
        JobMaster b = awaitEnd(start(counting("count-b", "count", true, false, 0),
                config(storage(), 2, false, 1).withRestore(RestoreSettings.noClaim(sp))));
        assertThat(b.status()).isEqualTo(JobStatus.FAILED);
        assertThat(JobRunner.messages(b.failureCause())).contains("State 'count' of operator 'count'").contains("Long").contains("String");
        assertThat(new LocalFileStorage(storage()).exists(sp + "/_metadata")).as("the savepoint is untouched").isTrue();
    }
}
