package dev.cairn.core.internal.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.RestartStrategy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobSpecTest {

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("job.definition", "offer-enrichment");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void garbageFromAFileIsQuotedAsEscapesAndCut() {
        String garbage = "\u001b[2J\u0007" + "x".repeat(500);
        assertThatThrownBy(() -> JobSpec.parse(props("job.parallelism", garbage), "a", "/data/snapshots"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("\u0007")
                        .startsWith("job.parallelism=\\u001b[2J\\u0007xxx").contains("… (505 characters) is not allowed")
                        .hasSizeLessThan(300));
        // a value of exactly the quoted length is not cut
        String exact = "y".repeat(InvalidConfigurationException.QUOTED);
        assertThat(InvalidConfigurationException.printable(exact)).isEqualTo(exact);
    }

    @Test
    void theChangelogNeedsIncrementalCheckpointsAndChangingItIsAnotherRun() throws Exception {
        assertThatThrownBy(() -> JobSpec.parse(props("job.changelog", "true"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("job.changelog=true is not allowed").hasMessageContaining("checkpoint.incremental=true");
        assertThatThrownBy(() -> JobSpec.parse(props("job.changelog", "yes", "checkpoint.incremental", "true"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("job.changelog=yes");
        JobSpec on = JobSpec.parse(props("job.changelog", "true", "checkpoint.incremental", "true"), "a", "/data");
        JobSpec off = JobSpec.parse(props("checkpoint.incremental", "true"), "a", "/data");
        assertThat(on.changelog()).isTrue();
        assertThat(off.changelog()).isFalse();
        assertThat(on.sameRun(off)).as("turning the changelog off restarts the job").isFalse();
    }

    @Test
    void readsStringsAndTypedValuesWithDefaults() throws Exception {
        JobSpec spec = JobSpec.parse(props("job.parallelism", "3", "checkpoint.interval", "250ms", "checkpoint.retained", 4,
                "checkpoint.incremental", true, "restore.path", "a/savepoints/x", "restore.claim-mode", "claim",
                "param.seed", "7", "storage.bucket", "b", "service.pid", "cairn.job~a"), "a", "/data/snapshots");
        assertThat(spec.name()).isEqualTo("a");
        assertThat(spec.config().parallelism()).isEqualTo(3);
        assertThat(spec.config().maxParallelism()).isEqualTo(128);
        assertThat(spec.config().checkpoints().interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(spec.config().checkpoints().retained()).isEqualTo(4);
        assertThat(spec.config().checkpoints().incremental()).isTrue();
        assertThat(spec.config().restore().claimMode()).isEqualTo(ClaimMode.CLAIM);
        assertThat(spec.config().storageConfig()).containsEntry("root", "/data/snapshots").containsEntry("bucket", "b");
        assertThat(spec.parameters()).containsExactly(Map.entry("seed", "7"));
        assertThat(spec.desiredState()).isEqualTo(JobSpec.DesiredState.RUNNING);
    }

    @Test
    void refusalsNameThePropertyTheValueAndWhatIsAllowed() {
        assertRefused(props("job.parallelism", "two"), "job.parallelism=two is not allowed: use an integer from 1 to 128");
        assertRefused(props("job.parallelism", 200), "job.parallelism=200 is not allowed: use an integer from 1 to 128");
        assertRefused(props("job.max-parallelism", 0), "job.max-parallelism=0 is not allowed: use an integer from 1 to 32768");
        assertRefused(props("checkpoint.interval", "5"), "checkpoint.interval=5 is not allowed: use a duration >= 10ms such as 500ms, 10s, 5m, 60m");
        assertRefused(props("checkpoint.interval", "1ms"), "checkpoint.interval=1ms is not allowed");
        assertRefused(props("checkpoint.incremental", "yes"), "checkpoint.incremental=yes is not allowed: use true or false");
        assertRefused(props("restore.claim-mode", "legacy"), "restore.claim-mode=legacy is not allowed: use one of [no-claim, claim]");
        assertRefused(props("job.state", "paused"), "job.state=paused is not allowed: use one of [running, suspended]");
        assertRefused(props("checkpoint.intervall", "1s"), "checkpoint.intervall=1s is not allowed: it is not a job property");
        assertRefused(props("job.name", "../etc"), "job.name=../etc is not allowed");
        Map<String, Object> noDefinition = props();
        noDefinition.remove("job.definition");
        assertRefused(noDefinition, "job.definition=null is not allowed: name a registered job definition (the property is required)");
    }

    @Test
    void nameComesFromTheConfigurationWhenNotSet() {
        assertThat(JobSupervisor.nameFromConfiguration("cairn.job~orders", Map.of())).isEqualTo("orders");
        assertThat(JobSupervisor.nameFromConfiguration("cairn.job.1234", Map.of("felix.fileinstall.filename", "file:/x/etc/cairn.job-orders.cfg")))
                .isEqualTo("orders");
        assertThat(JobSupervisor.nameFromConfiguration("cairn.job.1234", Map.of())).isNull();
    }

    private static void assertRefused(Map<String, Object> props, String message) {
        assertThatThrownBy(() -> JobSpec.parse(props, "a", "/data")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(message);
    }

    @Test
    void restartStrategiesAreReadAndBadValuesNamed() throws Exception {
        assertThat(JobSpec.parse(props(), "a", "/data").config().restarts())
                .isEqualTo(RestartStrategy.fixedDelay(3, Duration.ofSeconds(1)));
        assertThat(JobSpec.parse(props("job.restart-strategy", "exponential-delay", "job.restart-delay", "2s",
                "job.restart-backoff-multiplier", "1.5", "job.max-restarts", "20"), "a", "/data").config().restarts())
                .isEqualTo(RestartStrategy.exponentialDelay(Duration.ofSeconds(2), Duration.ofMinutes(1), 1.5, Duration.ofHours(1), 20));
        assertThat(JobSpec.parse(props("job.restart-strategy", "failure-rate", "job.restart-failure-interval", "5m",
                "job.max-restarts", 1), "a", "/data").config().restarts())
                .isEqualTo(RestartStrategy.failureRate(1, Duration.ofMinutes(5), Duration.ofSeconds(1)));
        assertThat(JobSpec.parse(props("job.restart-strategy", "exponential-delay"), "a", "/data").config().restarts())
                .as("Flink's defaults: unlimited restarts, pauses from 1 s growing by half up to a minute, start-over after an hour")
                .isEqualTo(RestartStrategy.exponentialDelay(Duration.ofSeconds(1), Duration.ofMinutes(1), 1.5, Duration.ofHours(1), Integer.MAX_VALUE));

        assertThatThrownBy(() -> JobSpec.parse(props("job.restart-strategy", "backoff"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("job.restart-strategy=backoff is not allowed: use one of [fixed-delay, exponential-delay, failure-rate]");
        assertThatThrownBy(() -> JobSpec.parse(props("job.restart-backoff-multiplier", "0.5"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("job.restart-backoff-multiplier=0.5 is not allowed: use a number >= 1.0");
        assertThatThrownBy(() -> JobSpec.parse(props("job.restart-strategy", "exponential-delay", "job.restart-delay", "2m"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("job.restart-max-delay=1m is not allowed: use a duration >= job.restart-delay (2m)");
        assertThatThrownBy(() -> JobSpec.parse(props("job.restart-reset-after", "0ms"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.restart-reset-after=0ms is not allowed");
    }

    @Test
    void pluginVersionRangesAreReadAndBadOnesNamed() throws Exception {
        JobSpec pinned = JobSpec.parse(props("job.backend.version", "[1.2,2)", "job.definition.version", "3.1",
                "job.storage.version", "[0.1.0,0.1.0]", "job.changelog.version", "(1,2]"), "a", "/data");
        assertThat(pinned.versions().of(PluginTracker.Kind.BACKEND)).isEqualTo(new org.osgi.framework.VersionRange("[1.2,2)"));
        assertThat(pinned.versions().of(PluginTracker.Kind.DEFINITION).includes(new org.osgi.framework.Version(7, 0, 0))).isTrue();
        assertThat(pinned.versions().of(PluginTracker.Kind.STORAGE).includes(new org.osgi.framework.Version(0, 1, 1))).isFalse();
        assertThat(pinned.wanted(PluginTracker.Kind.BACKEND)).isEqualTo("state backend 'heap' in [1.2.0,2.0.0) (job.backend.version)");
        JobSpec any = JobSpec.parse(props(), "a", "/data");
        assertThat(any.versions()).isEqualTo(PluginVersions.ANY);
        assertThat(any.wanted(PluginTracker.Kind.STORAGE)).isEqualTo("storage 'file'");
        // another range is the same run: whether the job moves depends on what is installed
        assertThat(any.sameRun(pinned)).isTrue();

        assertThatThrownBy(() -> JobSpec.parse(props("job.storage.version", "[2,1)"), "a", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("job.storage.version=[2,1) is not allowed: the range includes no version");
        for (String bad : new String[] {"banana", "[1.2,", "1.x"}) {
            assertThatThrownBy(() -> JobSpec.parse(props("job.backend.version", bad), "a", "/data"))
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith("job.backend.version=" + bad + " is not allowed: use an OSGi version range")
                    .hasMessageContaining("[1.2,2)");
        }
    }

    @Test
    void aJobSharedByPartitionRunsEachPartitionAsARangeOfItsOwn() throws Exception {
        JobSpec spec = JobSpec.parse(props("job.placement", "kafka", "placement.topic", "in", "placement.bootstrap.servers", "h:9092",
                "param.input", "in"), "counts", "/data");
        assertThat(spec.sharedByPartition()).isTrue();
        assertThat(spec.placement().plugin()).isEqualTo("kafka");
        assertThat(spec.placement().settings()).containsOnly(Map.entry("topic", "in"), Map.entry("bootstrap.servers", "h:9092"));
        assertThat(spec.parameters()).containsOnly(Map.entry("input", "in"));

        JobSpec range = spec.forPartition(7);
        assertThat(range.name()).isEqualTo("counts.range-7");
        assertThat(range.inputPartition()).isEqualTo(7);
        assertThat(range.sharedByPartition()).as("a range joins no group itself").isFalse();
        assertThat(range.config()).isEqualTo(spec.config());
        assertThat(range.pluginName(PluginTracker.Kind.PLACEMENT)).isEqualTo("kafka");
        assertThat(range.sameRun(spec.forPartition(8))).isFalse();

        JobSpec local = JobSpec.parse(props(), "counts", "/data");
        assertThat(local.placement()).isNull();
        assertThat(local.inputPartition()).isEqualTo(-1);
        assertThat(local.sharedByPartition()).isFalse();
    }

    @Test
    void whatASharedJobCannotHaveIsRefusedByName() throws Exception {
        assertThatThrownBy(() -> JobSpec.parse(props("job.placement", "kafka", "job.parallelism", "2"), "counts", "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.parallelism=2 is not allowed: with job.placement use 1");
        assertThatThrownBy(() -> JobSpec.parse(props("placement.topic", "in"), "counts", "/data"))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("placement.topic=in is not allowed: placement.* properties configure job.placement, which is not set");
        assertThatThrownBy(() -> JobSpec.parse(props("job.placement", "kafka", "restore.path", "counts/savepoints/x"), "counts", "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("restore.path=counts/savepoints/x is not allowed");
        String longName = "n".repeat(53);
        assertThatThrownBy(() -> JobSpec.parse(props("job.placement", "kafka"), longName, "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("use at most 52 characters");
        assertThat(JobSpec.parse(props("job.placement", "kafka"), "n".repeat(52), "/data").forPartition(99999).name()).hasSize(64);
    }

    @Test
    void rangeNamesAreReservedAndASharedJobKeepsWhatItsLedgersHold() throws Exception {
        assertThatThrownBy(() -> JobSpec.parse(props(), "counts.range-3", "/data"))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.name=counts.range-3 is not allowed");
        assertThat(JobSpec.parse(props(), "counts.range-x", "/data").name()).isEqualTo("counts.range-x");

        JobSpec current = JobSpec.parse(props("job.placement", "kafka"), "counts", "/data");
        JobSupervisor.checkSharedUpdate(current, JobSpec.parse(props("job.placement", "kafka", "checkpoint.interval", "1s",
                "placement.session.timeout.ms", "6000", "param.x", "y"), "counts", "/data"));
        assertThatThrownBy(() -> JobSupervisor.checkSharedUpdate(current,
                JobSpec.parse(props("job.placement", "kafka", "job.backend", "rocksdb"), "counts", "/data")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.backend=rocksdb is not allowed: a job shared");
        assertThatThrownBy(() -> JobSupervisor.checkSharedUpdate(current,
                JobSpec.parse(props("job.placement", "kafka", "storage.root", "/elsewhere"), "counts", "/data")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.storage=file [root] is not allowed");
        assertThatThrownBy(() -> JobSupervisor.checkSharedUpdate(current,
                JobSpec.parse(props("job.placement", "kafka", "job.max-parallelism", "64"), "counts", "/data")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.max-parallelism=64 is not allowed");
        assertThatThrownBy(() -> JobSupervisor.checkSharedUpdate(current,
                JobSpec.parse(props("job.placement", "kafka", "placement.group.id", "other"), "counts", "/data")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("placement.group.id=other is not allowed");
        assertThatThrownBy(() -> JobSupervisor.checkSharedUpdate(current, JobSpec.parse(props("job.placement", "kafka"), "tallies", "/data")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("job.name=tallies is not allowed");
    }
}
