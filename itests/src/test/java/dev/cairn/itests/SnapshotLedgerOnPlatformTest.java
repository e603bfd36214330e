package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The job lifecycle's seams on the real platform: resume, the data folder lock. */
class SnapshotLedgerOnPlatformTest {

    private static final int EVENTS = 20_000;

    @Test
    void resumeHonoursTheNamedSnapshotChecksItsPathAndRefusesDuplicatesUnlessForced() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 2_000, "");
            p.awaitRecords("offers", 4_000);
            assertThat(p.text("cairn:stop offers kept")).isEqualTo("stopped job offers with savepoint offers/savepoints/kept");
            p.run("cairn:start offers");
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);

            assertThatThrownBy(() -> p.run("cairn:resume offers /etc claim")).hasMessageContaining("'/etc' is not allowed");
            assertThatThrownBy(() -> p.run("cairn:resume offers ../../../etc")).hasMessageContaining("without '..'");
            assertThatThrownBy(() -> p.run("cairn:resume offers offers/savepoints/kept"))
                    .hasMessageContaining("older than").hasMessageContaining("duplicates").hasMessageContaining("force");
            assertThat(p.jobValue("offers", "state")).isEqualTo("FINISHED");

            // forced: the job really starts from the named savepoint, so what came after it is committed again
            assertThat(p.text("cairn:resume offers offers/savepoints/kept no-claim force")).isEqualTo("resuming job offers from offers/savepoints/kept");
            p.awaitJobState("offers", "FINISHED");
            Map<String, Object> verdict = p.verifyOfferJob("offers", EVENTS);
            assertThat(verdict).containsEntry("missing", 0L);
            assertThat((Long) verdict.get("duplicated")).as("records after the savepoint, committed twice as forced").isPositive();
        }
    }

    @Test
    void aSecondPlatformOnTheSameDataFolderIsRefusedAndTouchesNothing() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", EVENTS, 2_000, "");
            p.awaitRecords("offers", 1_000);
            String port = Files.readString(p.data.resolve("console.port"));
            Path log = p.root.resolve("second.log");
            Process second = PlatformProcess.launch(PlatformFixture.HOME, p.data, null, log);
            assertThat(second.waitFor(PlatformFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(second.exitValue()).isEqualTo(1);
            assertThat(Files.readString(log)).contains("already running").contains("(pid " + ProcessHandle.current().pid() + ")");
            assertThat(Files.readString(p.data.resolve("console.port"))).isEqualTo(port);
            assertThat(p.data.resolve("console.token")).exists();
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }
}
