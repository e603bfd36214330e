package dev.cairn.examples.offers;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Starting jobs and waiting for them in tests. */
final class JobRunner {
    private JobRunner() {
    }

    static JobConfig config(Path storageRoot, int parallelism, boolean incremental, int retained) {
        return JobConfig.defaults(storageRoot.toString())
                .withParallelism(parallelism)
                .withRestarts(5, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(30))
                        .withIncremental(incremental).withRetained(retained));
    }

    static JobMaster start(JobGraph graph, JobConfig config, FailureInjector injector) throws IOException {
        ClassLoader cl = JobRunner.class.getClassLoader();
        return new JobMaster(graph, config, new ServiceLoaderPluginRegistry(cl), cl, injector, System::currentTimeMillis).start();
    }

    static JobMaster start(JobGraph graph, JobConfig config) throws IOException {
        return start(graph, config, FailureInjector.NONE);
    }

    static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    static void flipByteInTheMiddle(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = raf.length() / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
    }

    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString();
    }
}
