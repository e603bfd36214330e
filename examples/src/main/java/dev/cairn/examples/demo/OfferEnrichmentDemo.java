package dev.cairn.examples.demo;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.runtime.FailureInjector;
import dev.cairn.core.internal.runtime.JobMaster;
import dev.cairn.core.internal.runtime.ServiceLoaderPluginRegistry;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import dev.cairn.examples.offers.Timeline;
import dev.cairn.examples.offers.TransactionalFileSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The README's demo, embedded on the defaults (heap backend, local storage): runs the offer
 * enrichment job with frequent checkpoints, injects a failure and recovers, stops with a
 * savepoint, resumes at another parallelism, and checks the output against the expectation
 * computed from the generator alone. Ends with {@code demo: OK} or {@code demo: FAILED}.
 */
public final class OfferEnrichmentDemo {

    private static final long SEED = 2026;
    private static final int EVENTS = 150_000;
    private static final int SKUS = 5_000;
    private static final int RECORDS_PER_SECOND = 3_000;

    private OfferEnrichmentDemo() {
    }

    public static void main(String[] args) {
        try {
            String result = run(Files.createTempDirectory("cairn-demo-"));
            System.out.println("demo: OK " + result);
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("demo: FAILED " + t);
            System.exit(1);
        }
    }

    static String run(Path dir) throws Exception {
        Path output = dir.resolve("enriched-offers");
        Path snapshots = dir.resolve("snapshots");
        System.out.println("Cairn demo: offer enrichment, " + EVENTS + " events over " + SKUS + " SKUs; state and snapshots in " + dir);
        AtomicBoolean failNow = new AtomicBoolean();
        FailureInjector injector = (point, uid, subtask, id) -> {
            if (point == FailureInjector.Point.PROCESS_RECORD && "enrich".equals(uid) && failNow.compareAndSet(true, false)) {
                throw new IllegalStateException("failure injected by the demo");
            }
        };
        JobConfig config = JobConfig.defaults(snapshots.toString()).withParallelism(2)
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(500)).withIncremental(true).withRetained(3));
        JobMaster first = start("offer-enrichment", RECORDS_PER_SECOND, output, config, injector);
        for (int second = 1; second <= 12; second++) {
            Thread.sleep(1000);
            progress(first, output, second);
            if (second == 5) {
                System.out.println("  -> injecting a failure into subtask 'enrich'");
                failNow.set(true);
            }
        }
        if (first.restarts() != 1) {
            throw new IllegalStateException("expected one recovery, saw " + first.restarts());
        }
        String savepoint = first.stopWithSavepoint("demo").get(60, TimeUnit.SECONDS);
        if (first.await(Duration.ofSeconds(60)) != JobStatus.STOPPED) {
            throw new IllegalStateException("the job did not stop: " + first.status(), first.failureCause());
        }
        System.out.println("  -> stopped with savepoint " + savepoint + "; resuming at parallelism 3");
        JobMaster second = start("offer-enrichment-rescaled", 0, output,
                config.withParallelism(3).withRestore(RestoreSettings.noClaim(savepoint)), FailureInjector.NONE);
        if (second.await(Duration.ofMinutes(5)) != JobStatus.FINISHED) {
            throw new IllegalStateException("the resumed job ended " + second.status(), second.failureCause());
        }
        List<String> expected = Timeline.generate(SEED, EVENTS, SKUS).expectedOutput();
        List<String> actual = TransactionalFileSink.readCommitted(output);
        Map<String, Integer> counts = new HashMap<>();
        actual.forEach(line -> counts.merge(line, 1, Integer::sum));
        long duplicates = counts.values().stream().filter(c -> c > 1).count();
        long missing = expected.stream().filter(e -> !counts.containsKey(e)).count();
        if (duplicates > 0 || missing > 0 || actual.size() != expected.size()) {
            throw new IllegalStateException(actual.size() + " lines for " + expected.size() + " expected: " + missing
                    + " missing, " + duplicates + " duplicated");
        }
        return "(" + actual.size() + " enriched offers, each exactly once, after 1 failure and a rescale 2 -> 3)";
    }

    private static JobMaster start(String name, int rate, Path output, JobConfig config, FailureInjector injector) throws Exception {
        ClassLoader cl = OfferEnrichmentDemo.class.getClassLoader();
        return new JobMaster(OfferEnrichmentJob.build(name, SEED, EVENTS, SKUS, output, rate), config,
                new ServiceLoaderPluginRegistry(cl), cl, injector, System::currentTimeMillis).start();
    }

    private static void progress(JobMaster job, Path output, int second) throws Exception {
        List<CompletedSnapshot> retained = job.retainedCheckpoints();
        CompletedSnapshot last = retained.isEmpty() ? null : retained.get(retained.size() - 1);
        System.out.printf("  %2ds  status %-10s committed output %7d lines  last checkpoint %s  (%s)  restarts %d%n",
                second, job.status(), TransactionalFileSink.readCommitted(output).size(),
                last == null ? "-" : "chk-" + last.id(),
                last == null ? "-" : String.format("%.1f KiB, %s", last.metadata().totalSize() / 1024.0, last.metadata().format()),
                job.restarts());
    }
}
