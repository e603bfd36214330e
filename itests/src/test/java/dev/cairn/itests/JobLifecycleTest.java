package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Stopping, resuming, restarting the platform and running jobs side by side: output stays exactly once. */
class JobLifecycleTest {

    private static final int EVENTS = 30_000;

    @Test
    void stopWithSavepointThenResumeFromItAtAnotherParallelism() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 600, "");
            p.awaitRecords("offers", 5_000);
            String stopped = p.text("cairn:stop offers kept");
            assertThat(stopped).isEqualTo("stopped job offers with savepoint offers/savepoints/kept");
            p.awaitJobState("offers", "SUSPENDED");
            assertThat(p.text("cairn:jobs")).containsPattern("offers\\s+SUSPENDED");

            p.run("cairn:set offers job.parallelism=3 param.rate=0");
            assertThat(p.jobValue("offers", "state")).isEqualTo("SUSPENDED");
            assertThat(p.text("cairn:resume offers offers/savepoints/kept")).isEqualTo("resuming job offers from offers/savepoints/kept");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("parallelism", 3);
            assertThat((String) p.jobValue("offers", "resumes-from")).matches("offers/chk-\\d+");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
            // a savepoint taken by the user stays: resuming did not claim it
            assertThat(p.data.resolve("snapshots/offers/savepoints/kept/_metadata")).exists();
        }
    }

    @Test
    void platformRestartResumesRunningJobs() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 600, "");
            p.awaitRecords("offers", 5_000);
            p.stop();
            p.start();
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
            // the run came back from the handover savepoint, which the platform owns and dropped once subsumed
            assertThat(p.text("cairn:snapshots offers")).doesNotContain("handover-").containsPattern("checkpoint\\s+offers/chk-\\d+.*recovery point");
        }
    }

    @Test
    void twoJobsSideBySideOnDifferentBackendsAndStorageRoots() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("full", EVENTS, 800, "checkpoint.incremental=false");
            p.createOfferJob("incremental", EVENTS, 800, "job.backend=rocksdb checkpoint.incremental=true storage.root=" + p.root.resolve("other-storage"));
            p.awaitJobState("full", "RUNNING");
            p.awaitJobState("incremental", "RUNNING");
            assertThat(p.text("cairn:plugins"))
                    .containsPattern("backend\\s+heap\\s+dev.cairn.backend.heap\\s+\\S+\\s+full\\s+-\\n")
                    .containsPattern("backend\\s+rocksdb\\s+dev.cairn.backend.rocksdb\\s+\\S+\\s+incremental\\s+block-cache-capacity-bytes 256.0 MiB, "
                            + "block-cache-used-bytes [0-9.]+ (B|KiB|MiB), checkpoints-copied-whole \\d+, restores-fetched 0, restores-from-local-copy 0, "
                            + "write-buffer-capacity-bytes 64.0 MiB");
            p.awaitRecords("full", 3_000);
            p.run("cairn:fail full");
            // a failure after a completed checkpoint: each RocksDB subtask restores from its local copy, fetching nothing
            PlatformFixture.await(() -> p.jobValue("incremental", "checkpoints.completed") instanceof Number n && n.longValue() >= 1,
                    () -> "a completed checkpoint of job incremental: " + p.safeText("cairn:job incremental"));
            p.run("cairn:fail incremental");
            p.awaitJobState("full", "FINISHED");
            p.awaitJobState("incremental", "FINISHED");
            assertThat(p.verifyOfferJob("full", EVENTS)).containsEntry("exactly-once", true);
            assertThat(p.verifyOfferJob("incremental", EVENTS)).containsEntry("exactly-once", true);
            assertThat(p.root.resolve("other-storage/incremental")).isDirectory();
            assertThat(p.data.resolve("snapshots/incremental")).doesNotExist();
            assertThat(p.text("cairn:plugins")).containsPattern("restores-fetched 0, restores-from-local-copy [1-9]");
        }
    }

    @Test
    void aJobTurnedToIncrementalCheckpointsWhileRunningRecoversExactlyOnce() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 600, "checkpoint.incremental=false");
            p.awaitRecords("offers", 3_000);
            // the run stops with a full checkpoint and the next run resumes from it, now taking incremental ones that reference
            // its sections (small files inlined in its metadata) after it is subsumed
            p.run("cairn:set offers checkpoint.incremental=true");
            long before = completedCheckpoints(p, "offers");
            PlatformFixture.await(() -> completedCheckpoints(p, "offers") >= before + 2,
                    () -> "two incremental checkpoints of job offers: " + p.safeText("cairn:job offers"));
            // the job may be between the run it stopped and the next when the command comes: refused then, and asked again
            PlatformFixture.await(() -> failureAccepted(p, "offers"), () -> "a failure injected into job offers: " + p.safeJob("offers"));
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    private static boolean failureAccepted(PlatformFixture p, String job) {
        try {
            p.run("cairn:fail " + job);
            return true;
        } catch (Exception e) {
            String refusal = String.valueOf(e.getMessage());
            if (refusal.startsWith("Job " + job + " is ") && !refusal.endsWith("FINISHED") && !refusal.endsWith("FAILED")) {
                return false; // between runs
            }
            throw new AssertionError("cairn:fail " + job, e);
        }
    }

    @Test
    void aFailedOffheapJobRestoresFromItsLocalCopiesExactlyOnce() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            Files.copy(PlatformFixture.HOME.resolve("plugins/plugin-backend-offheap.jar"), p.deploy.resolve("plugin-backend-offheap.jar"));
            PlatformFixture.await(() -> p.safeText("cairn:plugins").contains("dev.cairn.backend.offheap"),
                    () -> "the offheap plugin to be up: " + p.safeText("cairn:plugins"));
            p.createOfferJob("offers", EVENTS, 800, "job.backend=offheap checkpoint.incremental=true");
            p.awaitJobState("offers", "RUNNING");
            PlatformFixture.await(() -> completedCheckpoints(p, "offers") >= 2, () -> "two checkpoints of job offers: " + p.safeText("cairn:job offers"));
            p.run("cairn:fail offers");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
            // each subtask restored its key groups from the copies in its working directory, fetching none
            assertThat(p.text("cairn:plugins")).containsPattern("restored-sections-fetched 0, restored-sections-local [1-9]");
        }
    }

    private static long completedCheckpoints(PlatformFixture p, String job) {
        return p.jobValue(job, "checkpoints.completed") instanceof Number n ? n.longValue() : 0;
    }
}
