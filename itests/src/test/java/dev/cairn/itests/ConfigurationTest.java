package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Bad values are refused with a message naming the property, the value and what is allowed,
 * through the console and through files in etc/ and deploy/, and never reach the running job.
 */
class ConfigurationTest {

    @Test
    void consoleRefusesBadValuesAndTheRunningJobIsUnaffected() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 200, "");
            p.awaitJobState("offers", "RUNNING");
            p.awaitRecords("offers", 500);

            assertRefused(p, "cairn:set offers job.parallelism=four", "job.parallelism=four is not allowed: use an integer");
            assertRefused(p, "cairn:set offers job.parallelism=0", "job.parallelism=0 is not allowed: use an integer from 1 to 128");
            assertRefused(p, "cairn:set offers checkpoint.interval=soon", "checkpoint.interval=soon is not allowed: use a duration");
            assertRefused(p, "cairn:set offers job.state=paused", "job.state=paused is not allowed: use one of [running, suspended]");
            assertRefused(p, "cairn:set offers job.paralelism=2", "job.paralelism=2 is not allowed: it is not a property of cairn.job");
            assertRefused(p, "cairn:set offers job.backend=offheap", "job.backend=offheap is not allowed: the job's heap state can move only to a backend that is installed now");
            assertRefused(p, "cairn:set cairn.kernel stop.timeout=0s", "stop.timeout=0s is not allowed: use a duration >= 1s such as 10s, 5m, 60m (or ISO-8601, e.g. PT10S)");
            assertRefused(p, "cairn:set cairn.console host=0.0.0.0", "host=0.0.0.0 is not allowed: use a loopback address");
            assertRefused(p, "cairn:set cairn.backend.rocksdb block-cache-mb=lots", "block-cache-mb=lots is not allowed: use an integer");
            assertRefused(p, "cairn:set cairn.backend.rocksdb block-cache-mb=2", "block-cache-mb=2 is not allowed");

            long before = ((Number) p.jobValue("offers", "records")).longValue();
            p.awaitRecords("offers", before + 200); // the same run goes on
            assertThat(p.job("offers")).containsEntry("state", "RUNNING").containsEntry("restarts", 0L).containsEntry("parallelism", 2);
            assertThat(p.text("cairn:config offers"))
                    .containsPattern("job.parallelism\\s+integer\\s+1\\s+2\\s+Subtasks per operator")
                    .containsPattern("checkpoint.interval\\s+string\\s+10s\\s+200ms");
        }
    }

    @Test
    void filesInEtcAndDeployAreValidatedLikeTheConsole() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            Path out = p.root.resolve("out-filejob");
            Path file = p.etc.resolve("cairn.job-filejob.cfg");
            Files.writeString(file, "job.definition = offer-enrichment\nparam.output = " + out + "\nparam.events = 1000000\nparam.rate = 200\n"
                    + "checkpoint.interval = 300ms\n");
            p.awaitJobState("filejob", "RUNNING");
            p.awaitRecords("filejob", 300);

            Files.writeString(file, Files.readString(file) + "job.parallelism = many\n");
            PlatformFixture.await(() -> String.valueOf(p.jobValue("filejob", "refused-configuration")).contains("job.parallelism=many is not allowed"),
                    () -> "the file's bad value to be refused: " + p.safeJob("filejob"));
            long before = ((Number) p.jobValue("filejob", "records")).longValue();
            p.awaitRecords("filejob", before + 200);
            assertThat(p.job("filejob")).containsEntry("state", "RUNNING").containsEntry("parallelism", 1).containsEntry("restarts", 0L);
            assertThat(p.text("cairn:jobs")).contains("refused configuration: job.parallelism=many is not allowed");

            // the console changes a hand-written file as a person would: plain values, the rest as written
            Files.writeString(file, "# written by hand\n" + Files.readString(file).replace("job.parallelism = many\n", ""));
            PlatformFixture.await(() -> p.jobValue("filejob", "refused-configuration") == null, () -> "the file's fix: " + p.safeJob("filejob"));
            p.run("cairn:set filejob job.max-restarts=5");
            PlatformFixture.await(() -> read(file).contains("job.max-restarts = 5"), () -> "the change in the file: " + read(file));
            assertThat(read(file)).startsWith("# written by hand\n").contains("checkpoint.interval = 300ms").doesNotContain("I\"")
                    .doesNotContain("\"200\"");
            assertThatThrownBy(() -> p.run("cairn:remove filejob")).hasMessageContaining("is defined in " + file)
                    .hasMessageContaining("delete that file");
            assertThat(file).exists();
            p.awaitJobState("filejob", "RUNNING"); // the accepted change above moves it to a new run; the refused remove stops nothing

            // a job file in deploy/ is refused the same way, before anything runs
            Files.writeString(p.deploy.resolve("cairn.job-broken.cfg"), "job.definition = offer-enrichment\ncheckpoint.retained = -1\n");
            PlatformFixture.await(() -> p.safeText("cairn:jobs").contains("checkpoint.retained=-1 is not allowed"),
                    () -> "the deploy/ file to be refused: " + p.safeText("cairn:jobs"));
            assertThat(p.text("cairn:jobs")).containsPattern("(?m)^broken\\s+REFUSED").doesNotContain("cairn.job~");

            // and the kernel's own configuration
            Files.writeString(p.etc.resolve("cairn.kernel.cfg"), "stop.timeout = whenever\n");
            PlatformFixture.await(() -> p.safeText("cairn:config cairn.kernel").contains("last refused change: stop.timeout=whenever is not allowed"),
                    () -> "the kernel file to be refused: " + p.safeText("cairn:config cairn.kernel"));
            // the value in effect is the one before, the refused one is shown beside it
            assertThat(p.text("cairn:config cairn.kernel")).containsPattern("stop\\.timeout\\s+\\S+\\s+60s\\s+1m \\(stored: whenever, refused\\)");
        }
    }

    private static void assertRefused(PlatformFixture p, String command, String message) {
        assertThatThrownBy(() -> p.run(command)).as(command).hasMessageContaining(message);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
