package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A running job's state moves to another backend, key-group count or storage, and a canonical
 * savepoint resumes on another backend at another parallelism; each exactly once, checked
 * against the generator's own expectation. The jobs are throttled so that they are still
 * running when each switch arrives; the last change lifts the throttle and they finish.
 */
class StateSwitchTest {

    private static final int EVENTS = 30_000;

    private static void awaitRunningOn(PlatformFixture p, String key, Object value) throws Exception {
        PlatformFixture.await(() -> p.runningWith("offers", key, value),
                () -> "job offers running with " + key + "=" + value + ": " + p.safeJob("offers"));
    }

    @Test
    void aRunningJobMovesHeapToRocksdbToHeapAndToTwiceTheKeyGroupsExactlyOnce() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 300, "checkpoint.incremental=true");
            p.awaitRecords("offers", 1_000);

            p.run("cairn:set offers job.backend=rocksdb");
            awaitRunningOn(p, "backend", "rocksdb");
            p.run("cairn:set offers job.backend=heap");
            awaitRunningOn(p, "backend", "heap");
            p.run("cairn:set offers job.max-parallelism=256");
            awaitRunningOn(p, "max-parallelism", 256);

            p.run("cairn:set offers param.rate=0");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("backend", "heap").containsEntry("max-parallelism", 256);
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aRunningJobTurnsTheChangelogOnRescalesWithItAndTurnsItOffExactlyOnce() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.run("cairn:set cairn.backend.changelog materialization-interval=300ms upload-delay=50ms");
            p.createOfferJob("offers", EVENTS, 300, "checkpoint.incremental=true job.backend=rocksdb");
            p.awaitRecords("offers", 1_000);

            p.run("cairn:set offers job.changelog=true"); // restores the plain RocksDB checkpoint under the changelog
            awaitRunningOn(p, "changelog", true);
            long records = ((Number) p.jobValue("offers", "records")).longValue();
            p.awaitRecords("offers", records + 1_000);
            p.run("cairn:set offers job.parallelism=3"); // a native checkpoint of changelog handles, rescaled
            awaitRunningOn(p, "parallelism", 3);
            p.run("cairn:set offers job.changelog=false"); // through a savepoint the plain backend reads
            awaitRunningOn(p, "changelog", false);

            p.run("cairn:set offers param.rate=0");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("backend", "rocksdb").containsEntry("parallelism", 3).containsEntry("changelog", false);
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aRunningJobMovesFromFileToS3ExactlyOnce() throws Exception {
        try (StorageUnderTest s3 = StorageUnderTest.start("s3");
             PlatformFixture p = PlatformFixture.create()) {
            s3.configure(p).deploy(p);
            p.start();
            p.createOfferJob("offers", EVENTS, 300, "");
            p.awaitRecords("offers", 1_000);

            p.run("cairn:set offers " + s3.jobProperties());
            awaitRunningOn(p, "storage", "s3");
            assertThat(s3.s3().objectKeys("itest")).as("the moved snapshot and the ledger on S3")
                    .anyMatch(k -> k.startsWith("cairn/offers/ledger/")).noneMatch(k -> k.endsWith("moved-from.json"));
            p.run("cairn:set offers param.rate=0");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
            assertThat(s3.s3().objectKeys("itest")).anyMatch(k -> k.startsWith("cairn/offers/chk-") && k.endsWith("/_metadata"));
        }
    }

    @Test
    void aCanonicalSavepointResumesOnTheOtherBackendAtAnotherParallelismOnceItsFormatIsBack() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 300, "checkpoint.incremental=true");
            p.awaitRecords("offers", 1_000);
            assertThat(p.text("cairn:stop offers moving --format canonical"))
                    .isEqualTo("stopped job offers with savepoint offers/savepoints/moving");
            p.awaitJobState("offers", "SUSPENDED");

            // without the format plugin the savepoint cannot be read: the job waits for it
            Path format = p.deploy.resolve("plugin-format-canonical.jar");
            Path aside = p.root.resolve("plugin-format-canonical.jar");
            Files.move(format, aside);
            PlatformFixture.await(() -> p.bundle("dev.cairn.format.canonical") == null, () -> "the canonical format bundle to go");
            assertThatThrownBy(() -> p.run("cairn:savepoint offers other --format canonical")).hasMessageContaining("SUSPENDED");
            p.run("cairn:set offers job.backend=rocksdb job.parallelism=3 param.rate=0");
            p.run("cairn:start offers");
            p.awaitJobState("offers", "WAITING");
            assertThat(p.job("offers").get("reason")).asString().contains("snapshot format 'canonical'").contains("offers/savepoints/moving");

            Files.move(aside, format);
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("backend", "rocksdb").containsEntry("parallelism", 3);
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aSwitchToABackendThatIsNotInstalledIsRefusedAndTheJobKeepsRunning() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 300, "");
            p.awaitRecords("offers", 1_000);
            assertThatThrownBy(() -> p.run("cairn:set offers job.backend=offheap"))
                    .hasMessageContaining("job.backend=offheap is not allowed").hasMessageContaining("heap").hasMessageContaining("rocksdb");
            assertThatThrownBy(() -> p.run("cairn:savepoint offers sp --format zstd"))
                    .hasMessageContaining("snapshot format 'zstd' is not installed").hasMessageContaining("canonical");
            assertThat(p.job("offers")).containsEntry("state", "RUNNING").containsEntry("backend", "heap");
            p.run("cairn:set offers param.rate=0");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aRunningHeapJobMovesToTheOffheapPluginOnceItIsDeployedAndBackExactlyOnce() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 300, "");
            p.awaitRecords("offers", 1_000);

            Files.copy(PlatformFixture.HOME.resolve("plugins/plugin-backend-offheap.jar"), p.deploy.resolve("plugin-backend-offheap.jar"));
            PlatformFixture.await(() -> {
                try {
                    p.run("cairn:set offers job.backend=offheap");
                    return true;
                } catch (Exception refusedUntilTheBackendIsUp) {
                    return false;
                }
            }, () -> "job.backend=offheap to be accepted: " + p.safeText("cairn:plugins"));
            awaitRunningOn(p, "backend", "offheap");
            p.awaitRecords("offers", 1_000); // in the run on offheap
            p.run("cairn:set offers job.backend=heap");
            awaitRunningOn(p, "backend", "heap");

            p.run("cairn:set offers param.rate=0");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }
}
