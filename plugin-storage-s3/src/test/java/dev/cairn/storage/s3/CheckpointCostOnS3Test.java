package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import dev.cairn.examples.offers.Timeline;
import dev.cairn.examples.offers.TransactionalFileSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job checkpointing to S3, found through ServiceLoader as an embedded user would:
 * what a checkpoint costs in objects and requests, with and without small state inlined in the
 * metadata. The requests are counted at a loopback proxy in front of the server.
 */
class CheckpointCostOnS3Test {

    private static final int EVENTS = 20_000;
    private static final int SKUS = 300;
    private static S3TestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3TestServer();
        // the provider ServiceLoader creates takes credentials from the SDK's default chain
        System.setProperty("aws.accessKeyId", S3TestServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3TestServer.SECRET_KEY);
    }

    @AfterAll
    static void stopServer() throws Exception {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        server.close();
    }

    record Cost(long checkpoints, double requestsPerCheckpoint, int objectsInLastCheckpoint) {
    }

    private Cost run(String bucket, int inlineThreshold) throws Exception {
        server.createBucket(bucket);
        try (FaultInjectingProxy counter = new FaultInjectingProxy(server.port(), 0)) {
            Path output = dir.resolve("out-" + bucket);
            JobConfig config = JobConfig.defaults("unused").withParallelism(2)
                    .withStorage("s3", Map.of("bucket", bucket, "endpoint", counter.endpoint(), "path-style", "true"))
                    .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(100)).withInlineThreshold(inlineThreshold));
            ClassLoader cl = getClass().getClassLoader();
            JobMaster job = new JobMaster(OfferEnrichmentJob.build(bucket, 5, EVENTS, SKUS, output, 8_000), config,
                    new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
            assertThat(job.await(Duration.ofMinutes(2))).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
            assertThat(TransactionalFileSink.readCommitted(output))
                    .containsExactlyInAnyOrderElementsOf(Timeline.of(5, EVENTS, SKUS).expectedOutput());

            long checkpoints = job.metrics().completedCheckpoints() + job.metrics().failedCheckpoints();
            String last = job.retainedCheckpoints().get(job.retainedCheckpoints().size() - 1).directory() + "/";
            List<String> keys = server.objectKeys(bucket);
            int objects = (int) keys.stream().filter(k -> k.startsWith(last)).count();
            return new Cost(checkpoints, (double) counter.injected(Fault.NONE) / checkpoints, objects);
        }
    }

    @Test
    void inliningSmallStateCutsObjectsAndRequestsPerCheckpoint() throws Exception {
        Cost separate = run("cost-objects", 0);
        Cost inlined = run("cost-inlined", CheckpointConfig.DEFAULT_INLINE_THRESHOLD);
        System.out.printf("S3 checkpoint cost, example job at parallelism 2 (6 subtasks):%n"
                        + "  every file an object: %d objects in a checkpoint, %.1f requests per checkpoint (%d checkpoints)%n"
                        + "  inline threshold %d B: %d objects in a checkpoint, %.1f requests per checkpoint (%d checkpoints)%n",
                separate.objectsInLastCheckpoint(), separate.requestsPerCheckpoint(), separate.checkpoints(),
                CheckpointConfig.DEFAULT_INLINE_THRESHOLD, inlined.objectsInLastCheckpoint(), inlined.requestsPerCheckpoint(), inlined.checkpoints());
        assertThat(separate.objectsInLastCheckpoint()).isGreaterThanOrEqualTo(6);
        assertThat(inlined.objectsInLastCheckpoint()).isLessThan(separate.objectsInLastCheckpoint());
        assertThat(inlined.requestsPerCheckpoint()).isLessThan(separate.requestsPerCheckpoint());
    }
}
