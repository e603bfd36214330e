package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.storage.s3.S3TestServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Object storage plugins on the platform: deployed live, and a storage outage under a running job. */
class ObjectStorageTest {

    @Test
    void droppingTheS3PluginIntoDeployStartsAJobWaitingForIt() throws Exception {
        try (StorageUnderTest s3 = StorageUnderTest.start("s3");
             PlatformFixture p = PlatformFixture.create()) {
            s3.configure(p);
            p.start();
            p.createOfferJob("offers", 6_000, 2_000, s3.jobProperties());
            p.awaitJobState("offers", "WAITING");
            assertThat(p.job("offers").get("reason")).asString().contains("s3");

            s3.deploy(p);
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("storage", "s3");
            assertThat(p.verifyOfferJob("offers", 6_000)).containsEntry("exactly-once", true);
            assertThat(p.text("cairn:plugins")).contains("dev.cairn.storage.s3");
            assertThat(s3.s3().objectKeys("itest")).anyMatch(k -> k.startsWith("cairn/offers/chk-") && k.endsWith("/_metadata"));

            // a job's storage settings are checked by the plugin at create: nothing is created
            assertThatThrownBy(() -> p.run("cairn:create tiny job.definition=offer-enrichment param.output=" + p.root.resolve("tiny")
                    + " job.storage=s3 storage.bucket=b")).hasMessageContaining("'bucket' = 'b' is not valid").hasMessageContaining("3-63");
            assertThat(p.safeText("cairn:jobs")).doesNotContain("tiny");

            // the plugin's configuration is described and validated like the kernel's; its secret is never shown
            String config = p.text("cairn:config cairn.storage.s3");
            assertThat(config).contains("part-size-mb").contains("secret-key").contains("********")
                    .doesNotContain(S3TestServer.SECRET_KEY);
            assertThatThrownBy(() -> p.run("cairn:set cairn.storage.s3 part-size-mb=2"))
                    .hasMessageContaining("part-size-mb=2 is not allowed");
            assertThatThrownBy(() -> p.run("cairn:set cairn.storage.s3 credentials=magic"))
                    .hasMessageContaining("credentials=magic is not allowed");
        }
    }

    @Test
    void duringAStorageOutageCheckpointsAreDeclinedAndTheLastGoodOneStaysRestorable() throws Exception {
        try (StorageUnderTest s3 = StorageUnderTest.start("s3");
             PlatformFixture p = PlatformFixture.create()) {
            s3.configure(p).deploy(p);
            p.start();
            p.createOfferJob("offers", 30_000, 1_000, s3.jobProperties() + " checkpoint.tolerable-failures=1000"
                    + " storage.max-attempts=2 checkpoint.timeout=5s");
            p.awaitJobState("offers", "RUNNING");
            PlatformFixture.await(() -> p.jobValue("offers", "checkpoint.id") != null, () -> "a first checkpoint: " + p.safeJob("offers"));

            // the store accepts no writes: reads and listings still work
            s3.proxy().setPolicy(line -> line.startsWith("PUT") || line.startsWith("POST") ? Fault.RESET : Fault.NONE);
            long lastGood = ((Number) p.jobValue("offers", "checkpoint.id")).longValue();
            PlatformFixture.await(() -> ((Number) p.jobValue("offers", "checkpoints.failed")).longValue() >= 3,
                    () -> "declined checkpoints: " + p.safeJob("offers"));
            long during = ((Number) p.jobValue("offers", "checkpoint.id")).longValue();
            assertThat(during).as("no checkpoint completes while nothing can be written").isLessThanOrEqualTo(lastGood + 1);
            // the last good checkpoint is whole: a failure now restores from it
            assertThat(p.run("cairn:fail offers")).asString().contains("a failure will hit job offers");
            PlatformFixture.await(() -> p.jobValue("offers", "restarts") instanceof Long r && r >= 1,
                    () -> "a restart from the last good checkpoint: " + p.safeJob("offers"));

            s3.proxy().setPolicy(line -> Fault.NONE);
            p.awaitJobState("offers", "FINISHED");
            Map<String, Object> check = p.verifyOfferJob("offers", 30_000);
            assertThat(check).containsEntry("exactly-once", true).containsEntry("missing", 0L).containsEntry("duplicated", 0L);

            // no half snapshot and no orphan part: every checkpoint directory left has its metadata
            assertThat(s3.s3().openMultipartUploads("itest")).isZero();
            List<String> keys = s3.s3().objectKeys("itest");
            Set<String> directories = new TreeSet<>();
            Set<String> committed = new TreeSet<>();
            for (String key : keys) {
                String[] parts = key.split("/");
                if (parts.length > 3 && parts[2].startsWith("chk-")) {
                    directories.add(parts[2]);
                    if (parts[3].equals("_metadata")) {
                        committed.add(parts[2]);
                    }
                }
            }
            assertThat(directories).as("checkpoint directories in " + keys).isEqualTo(committed).isNotEmpty();
        }
    }
}
