package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.conformance.FaultInjectingProxy;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The example job on each plugin combination, with failures injected: output exactly once. On
 * object stores the storage also misbehaves: some requests get a 500, a reset or a slow answer.
 */
class ExactlyOnceOnPlatformTest {

    private static final int EVENTS = 40_000;

    @ParameterizedTest(name = "{0} backend, {1} storage")
    @MethodSource("dev.cairn.itests.PluginMatrix#backendsAndStorages")
    void exampleJobSurvivesFailuresExactlyOnce(String backend, String storage) throws Exception {
        run(backend, storage, false);
    }

    /**
     * The same with the changelog on: checkpoints build on background materialisations and the
     * log since, and every failure restores by replaying that log.
     */
    @ParameterizedTest(name = "changelog over {0}, {1} storage")
    @MethodSource("dev.cairn.itests.PluginMatrix#changelogBackendsAndStorages")
    void exampleJobWithTheChangelogSurvivesFailuresExactlyOnce(String backend, String storage) throws Exception {
        run(backend, storage, true);
    }

    private static void run(String backend, String storage, boolean changelog) throws Exception {
        try (StorageUnderTest store = StorageUnderTest.start(storage);
             PlatformFixture p = PlatformFixture.create()) {
            store.configure(p).deploy(p);
            p.start();
            if (changelog) {
                assertThat(p.run("cairn:set cairn.backend.changelog materialization-interval=300ms upload-delay=50ms")).asString()
                        .doesNotContain("not allowed");
            }
            if (store.proxy() != null) {
                store.proxy().setPolicy(FaultInjectingProxy.random(storage.hashCode(), 0.03, 0.03, 0.02));
            }
            p.createOfferJob("offers", EVENTS, 2_000, "job.backend=" + backend + " " + store.jobProperties()
                    + " checkpoint.incremental=true checkpoint.tolerable-failures=1000" + (changelog ? " job.changelog=true" : ""));
            p.awaitJobState("offers", "RUNNING");
            long records = 0;
            for (int failure = 1; failure <= 3; failure++) {
                records += 4_000; // the third failure lands with at least 28,000 records, 3.5 s at 2,000/s per source subtask, to go
                p.awaitRecords("offers", records);
                assertThat(p.run("cairn:fail offers")).asString().contains("a failure will hit job offers");
                int expected = failure;
                PlatformFixture.await(() -> p.jobValue("offers", "restarts") instanceof Long r && r == expected,
                        () -> "restart " + expected + ": " + p.safeJob("offers"));
            }
            p.awaitJobState("offers", "FINISHED");
            Map<String, Object> job = p.job("offers");
            assertThat(job).containsEntry("restarts", 3L).containsEntry("backend", backend).containsEntry("storage", storage)
                    .containsEntry("changelog", changelog);
            if (changelog) {
                java.util.regex.Matcher chk = java.util.regex.Pattern.compile("offers/chk-\\d+").matcher(String.valueOf(p.run("cairn:snapshots offers")));
                assertThat(chk.find()).as("a checkpoint in the ledger").isTrue();
                assertThat(String.valueOf(p.run("cairn:snapshot offers " + chk.group()))).contains("changelog over " + backend);
            }
            Map<String, Object> check = p.verifyOfferJob("offers", EVENTS);
            assertThat(check).containsEntry("exactly-once", true).containsEntry("missing", 0L).containsEntry("duplicated", 0L);
            assertThat((Integer) check.get("committed")).isGreaterThan(EVENTS / 2);
            if (store.proxy() != null) {
                assertThat(store.proxy().injected(FaultInjectingProxy.Fault.ERROR_500) + store.proxy().injected(FaultInjectingProxy.Fault.RESET))
                        .as("storage faults injected").isPositive();
                assertThat(store.hasUnfinishedUploads()).isFalse();
            }
        }
    }
}
