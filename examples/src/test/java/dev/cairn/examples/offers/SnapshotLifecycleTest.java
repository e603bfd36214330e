package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static dev.cairn.examples.offers.JobRunner.start;
import static dev.cairn.examples.offers.JobRunner.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Savepoints, rescaling, claim modes and retention, checked against the expected output. */
class SnapshotLifecycleTest {

    static final int EVENTS = 24_000;
    static final int SKUS = 400;
    static final int THROTTLE = 4_000;
    static final long SEED = 42;

    @TempDir
    Path dir;

    Path storage() {
        return dir.resolve("snapshots");
    }

    Path output() {
        return dir.resolve("out");
    }

    JobGraph graph(String name, int recordsPerSecond) {
        return OfferEnrichmentJob.build(name, SEED, EVENTS, SKUS, output(), recordsPerSecond);
    }

    void assertExactlyTheExpectedOutput() throws Exception {
        List<String> expected = Timeline.of(SEED, EVENTS, SKUS).expectedOutput();
        assertThat(TransactionalFileSink.readCommitted(output())).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }

    static void awaitStatus(JobMaster job, JobStatus status) throws InterruptedException {
        assertThat(job.await(Duration.ofMinutes(2))).as("status; failure: %s", JobRunner.messages(job.failureCause())).isEqualTo(status);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"2, 3", "3, 1"})
    void stopWithSavepointThenResumeAtAnotherParallelism(int from, int to) throws Exception {
        JobMaster a = start(graph("offers-a", THROTTLE), config(storage(), from, false, 1));
        waitUntil(() -> a.lastCompletedCheckpointId() >= 2, "two checkpoints completed");
        String savepoint = a.stopWithSavepoint("before-rescale").get(60, TimeUnit.SECONDS);
        awaitStatus(a, JobStatus.STOPPED);
        assertThat(TransactionalFileSink.readCommitted(output())).as("output before the stop").isNotEmpty();

        CompletedSnapshot sp = a.snapshotCatalog().load(savepoint);
        List<KeyGroupRange> ranges = sp.metadata().operator("enrich").subtasks().stream()
                .map(s -> s.keyedState().keyGroupRange()).toList();
        assertThat(ranges).hasSize(from);
        assertThat(ranges.stream().mapToInt(KeyGroupRange::size).sum()).isEqualTo(128);

        JobMaster b = start(graph("offers-b", 0), config(storage(), to, false, 1).withRestore(RestoreSettings.noClaim(savepoint)));
        awaitStatus(b, JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
    }

    /** Runs a job until it has at least {@code checkpoints} retained checkpoints, then cancels it. */
    CompletedSnapshot runAndCancel(String name, int checkpoints) throws Exception {
        return runAndCancel(name, checkpoints, "heap");
    }

    CompletedSnapshot runAndCancel(String name, int checkpoints, String backend) throws Exception {
        JobMaster a = start(graph(name, THROTTLE), config(storage(), 2, true, 2).withBackend(backend));
        waitUntil(() -> a.lastCompletedCheckpointId() >= checkpoints, checkpoints + " checkpoints completed");
        a.cancel();
        awaitStatus(a, JobStatus.CANCELLED);
        return a.retainedCheckpoints().get(a.retainedCheckpoints().size() - 1);
    }

    @Test
    void noClaimRestoreNeverDependsOnTheOriginalSnapshot() throws Exception {
        CompletedSnapshot original = runAndCancel("offers-a", 3);
        Path originalDir = storage().resolve(original.directory());
        AtomicReference<JobMaster> b = new AtomicReference<>();
        AtomicBoolean deleting = new AtomicBoolean();
        AtomicBoolean deleted = new AtomicBoolean();
        AtomicBoolean failed = new AtomicBoolean();
        JobMaster job = start(graph("offers-b", THROTTLE), config(storage(), 2, true, 2)
                        .withRestore(RestoreSettings.noClaim(original.directory())),
                (point, uid, subtask, id) -> {
                    JobMaster self = b.get();
                    if (self != null && self.lastCompletedCheckpointId() > 0 && deleting.compareAndSet(false, true)) {
                        deleteRecursively(storage().resolve("offers-a"));
                        deleted.set(true);
                    } else if (deleted.get() && failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure after the original snapshot was deleted");
                    }
                });
        b.set(job);
        awaitStatus(job, JobStatus.FINISHED);
        assertThat(failed).isTrue();
        assertThat(originalDir).doesNotExist();
        assertThat(job.restarts()).isEqualTo(1);
        assertExactlyTheExpectedOutput();
    }

    @Test
    void noClaimMakesTheFirstCheckpointFull() throws Exception {
        CompletedSnapshot original = runAndCancel("offers-a", 3);
        JobMaster b = start(graph("offers-b", THROTTLE), config(storage(), 2, true, 5)
                .withRestore(RestoreSettings.noClaim(original.directory())));
        waitUntil(() -> b.lastCompletedCheckpointId() > original.id(), "a checkpoint of the restored job");
        CompletedSnapshot first = b.retainedCheckpoints().stream().filter(c -> c.directory().startsWith("offers-b/")).findFirst().orElseThrow();
        for (SnapshotMetadata.SubtaskSnapshot st : first.metadata().operator("enrich").subtasks()) {
            // every key group written anew, none referenced from the original: all sections lie in the one file it wrote
            KeyGroupSectionsHandle keyed = (KeyGroupSectionsHandle) st.keyedState();
            assertThat(keyed.sections()).isNotEmpty().allMatch(section -> section.path().equals(keyed.files().get(0).path()));
            assertThat(keyed.files()).hasSize(1);
        }
        assertThat(first.storagePaths()).allMatch(p -> p.startsWith("offers-b/"));
        b.cancel();
        b.await(Duration.ofSeconds(30));
    }

    @Test
    void claimedSnapshotIsDeletedOnceSubsumed() throws Exception {
        CompletedSnapshot original = runAndCancel("offers-a", 3);
        LocalFileStorage files = new LocalFileStorage(storage());
        assertThat(files.list(original.directory() + "/")).isNotEmpty();
        JobMaster b = start(graph("offers-b", THROTTLE), config(storage(), 2, true, 1)
                .withRestore(RestoreSettings.claim(original.directory())));
        waitUntil(() -> b.retainedCheckpoints().stream().noneMatch(c -> c.directory().equals(original.directory())), "the claimed snapshot is subsumed");
        waitUntil(() -> b.lastCompletedCheckpointId() > original.id() + 1, "two checkpoints of the restored job");
        assertThat(files.list(original.directory() + "/")).isEmpty();
        awaitStatus(b, JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
    }

    /** Files a process left when it died between its uploads and the metadata commit: never committed, so garbage. */
    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"heap", "rocksdb"})
    void filesOfACheckpointNeverCommittedAreDeletedOnceTheNextCheckpointCompletes(String backend) throws Exception {
        CompletedSnapshot last = runAndCancel("offers-c", 3, backend);
        Path root = storage();
        Path uncommitted = root.resolve("offers-c/chk-" + (last.id() + 50) + "/enrich/0/state.bin");
        Path shared = root.resolve("offers-c/shared/enrich/0/" + java.util.UUID.randomUUID() + "-000099.sst");
        for (Path leftover : List.of(uncommitted, shared)) {
            java.nio.file.Files.createDirectories(leftover.getParent());
            java.nio.file.Files.write(leftover, new byte[4096]);
        }

        // the job comes back as after a crash: from its last checkpoint, which it claims
        JobMaster b = start(graph("offers-c", THROTTLE), config(storage(), 2, true, 1).withBackend(backend)
                .withRestore(RestoreSettings.claim(last.directory())));
        waitUntil(() -> b.lastCompletedCheckpointId() > last.id(), "a checkpoint of the restarted job");
        assertThat(uncommitted).doesNotExist();
        assertThat(shared).doesNotExist();
        awaitStatus(b, JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
        assertThat(storedSnapshotFiles("offers-c")).as("nothing but what the ledger lists").isEqualTo(b.snapshotLedger().referencedFiles());
    }

    /** Every stored file of the job except its ledger's own versions. */
    Set<String> storedSnapshotFiles(String job) throws java.io.IOException {
        Set<String> files = new HashSet<>(new LocalFileStorage(storage()).list(job + "/"));
        files.removeIf(f -> f.startsWith(job + "/ledger/"));
        return files;
    }

    @ParameterizedTest(name = "{0} backend")
    @ValueSource(strings = {"heap", "rocksdb"})
    void retentionKeepsExactlyTheFilesOfTheLastCheckpoints(String backend) throws Exception {
        // far more input than twenty checkpoints need, however slow the machine: the test ends the job
        JobConfig cfg = config(storage(), 2, true, 3).withBackend(backend);
        JobMaster job = start(OfferEnrichmentJob.build("offers-r", SEED, EVENTS * 20, SKUS, output(), THROTTLE),
                cfg.withCheckpoints(cfg.checkpoints().withInlineThreshold(0))); // shared files stay objects, however small
        waitUntil(() -> job.lastCompletedCheckpointId() >= 20 || job.status().ordinal() > JobStatus.RESTARTING.ordinal(), "twenty checkpoints completed");
        assertThat(job.lastCompletedCheckpointId()).as("checkpoints completed by job %s (%s)", job.status(), job.failureCause()).isGreaterThanOrEqualTo(20);
        job.cancel();
        awaitStatus(job, JobStatus.CANCELLED);

        List<CompletedSnapshot> retained = job.retainedCheckpoints();
        assertThat(retained).hasSize(3);
        Set<String> referenced = new HashSet<>();
        for (CompletedSnapshot c : retained) {
            referenced.addAll(c.storagePaths());
            referenced.add(c.metadataPath());
        }
        assertThat(storedSnapshotFiles("offers-r")).isEqualTo(referenced);
        assertThat(referenced).anyMatch(p -> p.contains("/shared/"));
    }

    @Test
    void aSavepointIsDeletedThroughThePlatformWithoutTouchingCheckpoints() throws Exception {
        // nothing inlined into the metadata: the savepoint's state files are objects of their own, however small
        JobConfig cfg = config(storage(), 2, true, 2);
        JobMaster job = start(graph("offers-d", THROTTLE), cfg.withCheckpoints(cfg.checkpoints().withInlineThreshold(0)));
        waitUntil(() -> job.lastCompletedCheckpointId() >= 2, "two checkpoints");
        String sp = job.triggerSavepoint("to-delete").get(60, TimeUnit.SECONDS);
        LocalFileStorage files = new LocalFileStorage(storage());
        assertThat(files.list(sp + "/")).contains(sp + "/_metadata").hasSizeGreaterThan(1);
        // a savepoint taken while the job runs is a recovery point: the stop's savepoint is the last one, never deleted
        String last = job.stopWithSavepoint("last").get(60, TimeUnit.SECONDS);
        awaitStatus(job, JobStatus.STOPPED);
        assertThat(job.snapshotLedger().recoveryPoint().orElseThrow().directory()).isEqualTo(last);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> job.deleteSavepoint("last")).hasMessageContaining("recovers from " + last);
        List<CompletedSnapshot> checkpoints = job.retainedCheckpoints();
        assertThat(checkpoints).isNotEmpty();
        job.deleteSavepoint("to-delete");
        assertThat(files.list(sp + "/")).isEmpty();
        assertThat(files.list(last + "/")).contains(last + "/_metadata");
        for (CompletedSnapshot c : checkpoints) {
            assertThat(files.exists(c.metadataPath())).as("checkpoint %s untouched", c.directory()).isTrue();
        }
        assertThat(TransactionalFileSink.readCommitted(output())).doesNotHaveDuplicates();
    }

    @Test
    void aFailureAfterTheStopSavepointCompletedStopsTheJobThereInsteadOfRestartingIt() throws Exception {
        AtomicReference<JobMaster> self = new AtomicReference<>();
        AtomicBoolean failed = new AtomicBoolean();
        JobMaster job = start(graph("offers-f", THROTTLE), config(storage(), 2, false, 2), (point, uid, subtask, id) -> {
            JobMaster j = self.get();
            boolean stopSavepoint = j != null && j.snapshotLedger().recoveryPoint()
                    .filter(e -> e.id() == id && e.kind() == dev.cairn.core.internal.catalog.SnapshotKind.SAVEPOINT).isPresent();
            if (point == dev.cairn.core.internal.crash.FailureInjector.Point.AFTER_LEDGER_UPDATE && stopSavepoint
                    && failed.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure after the stop's savepoint completed");
            }
        });
        self.set(job);
        waitUntil(() -> job.lastCompletedCheckpointId() >= 1, "a checkpoint");
        String last = job.stopWithSavepoint("last").get(60, TimeUnit.SECONDS);
        // a restart would run on past the savepoint the caller goes on from (and end FINISHED)
        awaitStatus(job, JobStatus.STOPPED);
        assertThat(failed).isTrue();
        assertThat(job.restarts()).isZero();
        assertThat(job.snapshotLedger().recoveryPoint().orElseThrow().directory()).isEqualTo(last);

        JobMaster resumed = start(graph("offers-f2", 0), config(storage(), 3, false, 2).withRestore(RestoreSettings.noClaim(last)));
        awaitStatus(resumed, JobStatus.FINISHED);
        assertExactlyTheExpectedOutput();
    }

    @ParameterizedTest(name = "tolerable failures {0}")
    @CsvSource({"5, false", "0, true"})
    void checkpointsThatTimeOutAreAbortedAndToleratedUpToTheLimit(int tolerable, boolean restartExpected) throws Exception {
        AtomicLong slowed = new AtomicLong();
        JobMaster job = start(graph("offers-t", THROTTLE), config(storage(), 2, true, 2)
                        .withCheckpoints(dev.cairn.api.job.CheckpointConfig.defaults().withInterval(Duration.ofMillis(30))
                                .withTimeout(Duration.ofMillis(200)).withTolerableFailures(tolerable).withIncremental(true).withRetained(2)),
                (point, uid, subtask, id) -> {
                    if (point == dev.cairn.core.internal.crash.FailureInjector.Point.ASYNC_SNAPSHOT && "enrich".equals(uid)
                            && subtask == 0 && slowed.incrementAndGet() == 1) {
                        Thread.sleep(1_000);
                    }
                });
        awaitStatus(job, JobStatus.FINISHED);
        assertThat(slowed.get()).isGreaterThan(1);
        assertThat(job.restarts() > 0).isEqualTo(restartExpected);
        assertExactlyTheExpectedOutput();
        Set<String> referenced = new HashSet<>();
        for (CompletedSnapshot c : job.retainedCheckpoints()) {
            referenced.addAll(c.storagePaths());
            referenced.add(c.metadataPath());
        }
        assertThat(storedSnapshotFiles("offers-t")).as("no files of aborted checkpoints left").isEqualTo(referenced);
    }

    @Test
    void anOlderCheckpointNeverCompletesAfterANewerOne() throws Exception {
        AtomicReference<JobMaster> self = new AtomicReference<>();
        AtomicBoolean olderCompleted = new AtomicBoolean();
        AtomicBoolean failedLater = new AtomicBoolean();
        AtomicLong slowPartDoneAt = new AtomicLong();
        dev.cairn.core.internal.crash.FailureInjector injector = (point, uid, subtask, id) -> {
            switch (point) {
                case ASYNC_SNAPSHOT -> {
                    if (id == 3 && "enrich".equals(uid) && subtask == 0) {
                        Thread.sleep(500); // checkpoint 4 overtakes checkpoint 3
                        slowPartDoneAt.set(System.nanoTime());
                    }
                }
                case AFTER_LEDGER_UPDATE -> {
                    if (id == 3 && olderCompleted.compareAndSet(false, true)) {
                        // had 3 completed after 4, a failover would restore 3 though 4's output is committed
                        throw new IllegalStateException("checkpoint 3 completed after checkpoint 4");
                    }
                }
                case PROCESS_RECORD -> {
                    JobMaster job = self.get();
                    long done = slowPartDoneAt.get();
                    // only once checkpoint 3's late acknowledgement has had time to arrive
                    if (job != null && job.lastCompletedCheckpointId() >= 5 && done > 0
                            && System.nanoTime() - done > 100_000_000L && failedLater.compareAndSet(false, true)) {
                        throw new IllegalStateException("injected failure after checkpoint 5");
                    }
                }
            }
        };
        JobMaster job = start(graph("offers-o", THROTTLE), config(storage(), 2, true, 3)
                .withCheckpoints(dev.cairn.api.job.CheckpointConfig.defaults().withInterval(Duration.ofMillis(20))
                        .withMaxConcurrent(2).withIncremental(true).withRetained(3)), injector);
        self.set(job);
        awaitStatus(job, JobStatus.FINISHED);
        assertThat(olderCompleted).as("checkpoint 3 completed after checkpoint 4").isFalse();
        assertThat(failedLater).isTrue();
        assertThat(storage().resolve("offers-o/chk-3")).doesNotExist();
        assertExactlyTheExpectedOutput();
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
