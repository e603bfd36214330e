package dev.cairn.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.core.internal.ledger.Ownership;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import dev.cairn.examples.offers.OutputCheck;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Real snapshots of the example job (seed 7, 20,000 events over 300 SKUs), and the tool run over them. */
final class ExampleSnapshots {

    static final long SEED = 7;
    static final int EVENTS = 20_000;
    static final int SKUS = 300;

    /** What {@code state …} printed and returned. */
    record Result(int exit, String out, String err) {
    }

    private final Path dir;

    ExampleSnapshots(Path dir) {
        this.dir = dir;
    }

    static Result state(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StateTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path storage() {
        return dir.resolve("snapshots");
    }

    private JobConfig config(String backend, boolean incremental) {
        return JobConfig.defaults(storage().toString()).withParallelism(2).withBackend(backend)
                .withRestarts(0, Duration.ofMillis(10))
                .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(30)).withIncremental(incremental)
                        .withRetained(3).withInlineThreshold(0));
    }

    private JobMaster start(String name, JobConfig config) throws IOException {
        ClassLoader cl = getClass().getClassLoader();
        // throttled, so that checkpoints happen while it runs: 20,000 events at 5,000 per second and source
        return new JobMaster(OfferEnrichmentJob.build(name, SEED, EVENTS, SKUS, dir.resolve("out-" + name), 5_000), config,
                new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
    }

    private static void awaitCheckpoints(JobMaster job, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (job.lastCompletedCheckpointId() < n) {
            assertThat(System.nanoTime()).as("%s checkpoints within two minutes", n).isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(10);
        }
    }

    /** A savepoint of the example job on {@code backend} in the job's default format, stopped; its directory. */
    Path savepoint(String backend) throws Exception {
        return savepoint(backend, null);
    }

    /** The same in {@code format} ({@code native}, {@code full}, {@code canonical}; {@code null} for the default). */
    Path savepoint(String backend, String format) throws Exception {
        String name = "offers-" + backend + (format == null ? "" : "-" + format);
        JobMaster job = start(name, config(backend, false));
        awaitCheckpoints(job, 2);
        String path = job.savepoint("sp", true, Ownership.USER, format == null ? job.defaultSavepointFormat() : format)
                .get(2, TimeUnit.MINUTES);
        assertThat(job.await(Duration.ofMinutes(1))).isEqualTo(JobStatus.STOPPED);
        return storage().resolve(path);
    }

    /**
     * Resumes job {@code name} (writing to the same output as the run that took the snapshot) from
     * {@code snapshot} with {@code maxParallelism} key groups on {@code backend}, unthrottled, until
     * it has read all its input; then compares the output with the expectation computed from the timeline.
     */
    OutputCheck.Result resume(String name, String backend, Path snapshot, int maxParallelism) throws Exception {
        return OutputCheck.check(run(name, backend, snapshot, maxParallelism), SEED, EVENTS, SKUS);
    }

    /** Runs job {@code name} from {@code snapshot} until it has read all its input; returns its output directory. */
    Path run(String name, String backend, Path snapshot, int maxParallelism) throws Exception {
        JobConfig config = config(backend, false).withMaxParallelism(maxParallelism)
                .withRestore(RestoreSettings.noClaim(storage().relativize(snapshot).toString()));
        ClassLoader cl = getClass().getClassLoader();
        JobMaster job = new JobMaster(OfferEnrichmentJob.build(name, SEED, EVENTS, SKUS, dir.resolve("out-" + name), 0), config,
                new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
        assertThat(job.await(Duration.ofMinutes(2))).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.FINISHED);
        return dir.resolve("out-" + name);
    }

    /** The newest retained incremental checkpoint of the example job on RocksDB, after several (so it has shared files). */
    Path incrementalCheckpoint() throws Exception {
        JobMaster job = start("offers-inc", config("rocksdb", true));
        awaitCheckpoints(job, 4);
        job.cancel();
        job.await(Duration.ofMinutes(1));
        try (Stream<Path> dirs = Files.list(storage().resolve("offers-inc"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max((a, b) -> Long.compare(id(a), id(b))).orElseThrow();
        }
    }

    /**
     * A checkpoint of the example job with unaligned checkpoints and a slow sink, taken once one
     * holding records in flight completed (the job is cancelled there); its directory.
     */
    Path unalignedCheckpoint() throws Exception {
        JobConfig config = config("heap", false);
        config = config.withCheckpoints(config.checkpoints().withUnaligned(true, Duration.ZERO));
        ClassLoader cl = getClass().getClassLoader();
        JobMaster job = new JobMaster(OfferEnrichmentJob.build("offers-unaligned", SEED, EVENTS, SKUS, dir.resolve("out-unaligned"), 5_000, 500),
                config, new ServiceLoaderPluginRegistry(cl), cl, FailureInjector.NONE, System::currentTimeMillis).start();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (job.metrics().checkpointHistory().stream().noneMatch(c -> c.inFlightBytes() > 0)) {
            assertThat(System.nanoTime()).as("a checkpoint with records in flight within two minutes").isLessThan(deadline);
            assertThat(job.status()).as("cause: %s", job.failureCause()).isEqualTo(JobStatus.RUNNING);
            Thread.sleep(10);
        }
        job.cancel();
        job.await(Duration.ofMinutes(1));
        return storage().resolve(job.snapshotLedger().recoveryPoint().orElseThrow().directory());
    }

    private static long id(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring(4));
    }

    /** SHA-256 of every file under the storage root: the input must stay byte-identical whatever a verb does. */
    Map<String, String> digests() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(storage())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(storage().relativize(f).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }
}
