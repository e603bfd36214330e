package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.LongStream;
import java.util.stream.Stream;

class OfferEnrichmentExactlyOnceTest {

    static final int EVENTS = 12_000;
    static final int SKUS = 300;

    @TempDir
    Path dir;

    static Stream<Arguments> seeds() {
        return LongStream.rangeClosed(1, 20).mapToObj(seed -> Arguments.of(seed, seed % 2 == 0));
    }

    @ParameterizedTest(name = "seed {0}, incremental {1}")
    @MethodSource("seeds")
    void outputIsExactlyTheExpectedOutputDespiteFailures(long seed, boolean incremental) throws Exception {
        Path output = dir.resolve("out");
        JobGraph graph = OfferEnrichmentJob.build("offers-" + seed, seed, EVENTS, SKUS, output, 0);
        JobConfig config = JobConfig.defaults(dir.resolve("snapshots").toString())
                .withParallelism(2)
                .withRestarts(10, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(15)).withIncremental(incremental).withRetained(2));
        RandomFailures failures = new RandomFailures(seed, EVENTS);
        JobMaster job = run(graph, config, failures);

        assertThat(job.await(Duration.ofMinutes(2))).as("final status, cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
        List<String> expected = Timeline.of(seed, EVENTS, SKUS).expectedOutput();
        List<String> actual = TransactionalFileSink.readCommitted(output);
        assertThat(actual).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(failures.failuresInjected()).as("failures actually injected").isGreaterThanOrEqualTo(2);
        // two failures can hit the same attempt and cost a single restart
        assertThat(job.restarts()).isBetween(1, failures.failuresInjected());
    }

    static JobMaster run(JobGraph graph, JobConfig config, FailureInjector failures) throws Exception {
        ClassLoader cl = OfferEnrichmentExactlyOnceTest.class.getClassLoader();
        return new JobMaster(graph, config, new ServiceLoaderPluginRegistry(cl), cl, failures, System::currentTimeMillis).start();
    }
}
