package dev.cairn.itests;

import static dev.cairn.itests.HotDeployTest.drop;
import static dev.cairn.itests.HotDeployTest.withVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Jobs choose their plugins' versions ({@code job.*.version}), and follow the storage plugin and
 * the job definition bundle they run on through updates, removals and reinstalls, through
 * {@code deploy/} as users do it; the output stays exactly once throughout.
 */
class PluginVersionsTest {

    private static final int EVENTS = 60_000;

    private static boolean runsOn(PlatformFixture p, String bundleAndVersion) {
        return "RUNNING".equals(p.jobValue("offers", "state")) && String.valueOf(p.jobValue("offers", "plugins")).contains(bundleAndVersion);
    }

    @Test
    void aJobStaysOnTheBackendVersionItIsPinnedToAndMovesWhenThePinChanges() throws Exception {
        String jar = "plugin-backend-heap.jar";
        String bundle = "dev.cairn.backend.heap";
        try (PlatformFixture p = PlatformFixture.create()) {
            Path original = p.root.resolve(jar);
            Files.copy(p.deploy.resolve(jar), original);
            // two versions of the heap backend side by side; unpinned, jobs would get the first
            drop(withVersion(original, p.root.resolve("v2-" + jar), "2.0.0.itest"), p.deploy.resolve("v2-" + jar));
            p.start();
            PlatformFixture.await(() -> p.safeText("cairn:plugins").contains("2.0.0.itest"), () -> "both heap backends: " + p.safeText("cairn:plugins"));

            p.createOfferJob("offers", EVENTS, 1_000, "'job.backend.version=[2,3)'");
            PlatformFixture.await(() -> runsOn(p, bundle + " 2.0.0.itest"), () -> "the job on heap 2.0.0: " + p.safeJob("offers"));
            p.awaitRecords("offers", 8_000);

            // ranges are quoted on the console: brackets and parentheses mean something to its shell
            // a range nothing installed is in: refused, the job keeps running where it is
            assertThatThrownBy(() -> p.run("cairn:set offers 'job.backend.version=[5,6)'"))
                    .hasMessageContaining("job.backend.version=[5.0.0,6.0.0) is not allowed")
                    .hasMessageContaining("no heap in that range is (installed: heap [").hasMessageContaining("2.0.0.itest");
            assertThatThrownBy(() -> p.run("cairn:set offers job.backend.version=two"))
                    .hasMessageContaining("job.backend.version=two is not allowed: use an OSGi version range");
            assertThat(runsOn(p, bundle + " 2.0.0.itest")).isTrue();

            // another range: the job moves to the version in it through a checkpoint
            p.run("cairn:set offers 'job.backend.version=[0,1)'");
            PlatformFixture.await(() -> runsOn(p, bundle + " 0."), () -> "the job on heap 0.x: " + p.safeJob("offers"));
            long records = ((Number) p.jobValue("offers", "records")).longValue();
            p.awaitRecords("offers", records + 4_000);

            // its version goes away: the job waits for it rather than take the one outside its range
            Files.delete(p.deploy.resolve(jar));
            p.awaitJobState("offers", "WAITING");
            assertThat((String) p.jobValue("offers", "reason"))
                    .contains("state backend 'heap' in [0.0.0,1.0.0) (job.backend.version) (installed: heap [2.0.0.itest])");

            p.unthrottleWaitingOfferJob("offers");
            drop(original, p.deploy.resolve(jar));
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aJobFollowsItsStoragePluginThroughUpdateRemovalAndReinstall() throws Exception {
        try (PlatformFixture p = PlatformFixture.create(); StorageUnderTest storage = StorageUnderTest.start("flatdir")) {
            storage.configure(p).deploy(p);
            p.start();
            p.createOfferJob("offers", EVENTS, 1_000, storage.jobProperties() + " 'job.storage.version=[0.1,1)'");
            // removed: the job stops while the plugin can still write its checkpoint
            followsThroughUpdateRemovalAndReinstall(p, "example-storage-plugin.jar", "dev.cairn.example.storage",
                    "storage 'flatdir' in [0.1.0,1.0.0)");
        }
    }

    @Test
    void aJobFollowsItsDefinitionBundleThroughUpdateRemovalAndReinstall() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 1_000, "'job.definition.version=[0.1,1)'");
            // the job's own code: updated, removed and back
            followsThroughUpdateRemovalAndReinstall(p, "examples.jar", "dev.cairn.examples", "job definition 'offer-enrichment' in [0.1.0,1.0.0)");
        }
    }

    /**
     * The running job {@code offers} moves to a new version of {@code jar} through a checkpoint,
     * stops and waits (the reason naming {@code waitsFor}) when it is removed, and finishes
     * exactly once once it is back.
     */
    private static void followsThroughUpdateRemovalAndReinstall(PlatformFixture p, String jar, String bundle, String waitsFor) throws Exception {
        Path original = p.root.resolve(jar);
        Files.copy(p.deploy.resolve(jar), original);
        p.awaitJobState("offers", "RUNNING");
        p.awaitRecords("offers", 8_000);
        assertThat(String.valueOf(p.jobValue("offers", "plugins"))).contains(bundle);

        drop(withVersion(original, p.root.resolve("v2-" + jar), "0.1.1.itest"), p.deploy.resolve(jar));
        PlatformFixture.await(() -> runsOn(p, bundle + " 0.1.1.itest"), () -> "the job on " + bundle + " 0.1.1: " + p.safeJob("offers"));
        long records = ((Number) p.jobValue("offers", "records")).longValue();
        p.awaitRecords("offers", records + 4_000);

        Files.delete(p.deploy.resolve(jar));
        p.awaitJobState("offers", "WAITING");
        assertThat((String) p.jobValue("offers", "reason")).contains(waitsFor);

        p.unthrottleWaitingOfferJob("offers");
        drop(original, p.deploy.resolve(jar));
        p.awaitJobState("offers", "FINISHED");
        assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
    }
}
