package dev.cairn.tools.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.examples.offers.OfferEnrichmentJob;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code state info} and {@code state verify} over real snapshots of the example job, heap and RocksDB. */
class StateToolTest {

    @TempDir
    Path dir;

    /** What {@code state …} printed and returned. */
    record Result(int exit, String out, String err) {
    }

    static Result state(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = StateTool.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path storage() {
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
        return new JobMaster(OfferEnrichmentJob.build(name, 7, 20_000, 300, dir.resolve("out-" + name), 5_000), config,
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

    /** A savepoint of the example job on {@code backend}, stopped; its directory. */
    private Path savepoint(String backend) throws Exception {
        JobMaster job = start("offers-" + backend, config(backend, false));
        awaitCheckpoints(job, 2);
        String path = job.stopWithSavepoint("sp").get(2, TimeUnit.MINUTES);
        assertThat(job.await(Duration.ofMinutes(1))).isEqualTo(JobStatus.STOPPED);
        return storage().resolve(path);
    }

    /** The newest retained incremental checkpoint of the example job on RocksDB, after several (so it has shared files). */
    private Path incrementalCheckpoint() throws Exception {
        JobMaster job = start("offers-inc", config("rocksdb", true));
        awaitCheckpoints(job, 4);
        job.cancel();
        job.await(Duration.ofMinutes(1));
        try (Stream<Path> dirs = Files.list(storage().resolve("offers-inc"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max((a, b) -> Long.compare(id(a), id(b))).orElseThrow();
        }
    }

    private static long id(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring(4));
    }

    /** SHA-256 of every file under the storage root: the input must stay byte-identical whatever a verb does. */
    private Map<String, String> digests() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(storage())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.put(storage().relativize(f).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void infoNamesEveryOperatorAndStateAndVerifyFindsItIntact(String backend) throws Exception {
        Path sp = savepoint(backend);
        Map<String, String> before = digests();

        Result text = state("info", sp.toString());
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("offers-" + backend, "savepoint 'sp'", "backend " + backend,
                "operator enrich, parallelism 2, keys String", "operator offers", "operator product-updates", "operator enriched-offers",
                "product", "next-seq", "parked", "split-positions");

        Result json = state("info", sp.toString(), "--json");
        assertThat(json.exit()).as(json.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("backend").asText()).isEqualTo(backend);
        assertThat(root.get("kind").asText()).isEqualTo("savepoint");
        Set<String> uids = new HashSet<>();
        root.get("operators").forEach(op -> uids.add(op.get("uid").asText()));
        assertThat(uids).containsExactlyInAnyOrder("offers", "product-updates", "enrich", "enriched-offers");
        JsonNode enrich = StreamSupport.stream(root.get("operators").spliterator(), false)
                .filter(op -> op.get("uid").asText().equals("enrich")).findFirst().orElseThrow();
        assertThat(enrich.get("key-serializer").asText()).as("keyed by the SKU, a String").isEqualTo("String");
        root.get("operators").forEach(op -> {
            if (!op.get("uid").asText().equals("enrich")) {
                assertThat(op.has("key-serializer")).as("%s has no keys", op.get("uid")).isFalse();
            }
        });
        Map<String, JsonNode> states = new TreeMap<>();
        enrich.get("keyed-states").forEach(s -> states.put(s.get("name").asText(), s));
        assertThat(states).containsKeys("product", "next-seq", "parked");
        assertThat(states.get("product").get("ttl").asBoolean()).isTrue();
        assertThat(states.get("next-seq").get("ttl").asBoolean()).isFalse();
        assertThat(states.get("parked").get("kind").asText()).isEqualTo("map");
        assertThat(states.get("next-seq").get("value-serializer").asText()).isEqualTo("Long");
        // the two subtasks split the key groups between them, without a gap
        List<String> ranges = StreamSupport.stream(enrich.get("subtasks").spliterator(), false).map(s -> s.get("key-groups").asText()).toList();
        assertThat(ranges).containsExactly("0-63", "64-127");

        Result verify = state("verify", sp.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).startsWith("intact: ");
        assertThat(digests()).isEqualTo(before);
    }

    @Test
    void verifyNamesAFlippedByteAndATruncatedFile() throws Exception {
        Path sp = savepoint("heap");
        Path keyed = sp.resolve("enrich/0/keyed-full.bin");
        Path operatorState;
        try (Stream<Path> files = Files.walk(sp.resolve("offers"))) {
            operatorState = files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
        flipByteInTheMiddle(keyed);
        try (RandomAccessFile raf = new RandomAccessFile(operatorState.toFile(), "rw")) {
            raf.setLength(raf.length() - 1);
        }
        Map<String, String> before = digests();

        Result verify = state("verify", sp.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED " + keyed + ": damaged, CRC32C ")
                .containsPattern("DAMAGED " + java.util.regex.Pattern.quote(keyed.toString()) + ": key group \\d+ \\(bytes \\d+\\.\\.\\d+\\) has CRC32C [0-9a-f]{8} where the metadata records [0-9a-f]{8}")
                .contains("DAMAGED " + operatorState + ": truncated, ")
                .contains("damaged: ");
        assertThat(digests()).isEqualTo(before);
    }

    @Test
    void verifyNamesAMissingSharedFileOfAnIncrementalCheckpoint() throws Exception {
        Path chk = incrementalCheckpoint();
        Result intact = state("verify", chk.toString());
        assertThat(intact.exit()).as(intact.out() + intact.err()).isZero();

        Result info = state("info", chk.toString(), "--json");
        JsonNode root = new ObjectMapper().readTree(info.out());
        assertThat(root.get("kind").asText()).isEqualTo("checkpoint");
        Path shared;
        // the newest checkpoint references the shared file only if the backend still holds it: take one it references
        String metadata = Files.readString(chk.resolve("_metadata"));
        try (Stream<Path> files = Files.walk(storage().resolve("offers-inc/shared"))) {
            shared = files.filter(Files::isRegularFile)
                    .filter(f -> metadata.contains(storage().resolve("offers-inc").relativize(f).toString()))
                    .findFirst().orElseThrow(() -> new AssertionError("the checkpoint references no shared file"));
        }
        Files.delete(shared);

        Result verify = state("verify", chk.toString());
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.out()).contains("DAMAGED " + shared + ": missing (");
    }

    @Test
    void badInputIsOneLineAndAnExitCode() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Result notASnapshot = state("info", dir.resolve("empty").toString());
        assertThat(notASnapshot.exit()).isEqualTo(2);
        assertThat(notASnapshot.err().strip()).isEqualTo(dir.resolve("empty") + " is not a snapshot: it holds no _metadata file"
                + " (give a job's chk-<n> directory or a savepoint's directory)");

        Result missing = state("verify", dir.resolve("nowhere").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip()).isEqualTo(dir.resolve("nowhere") + " is not a snapshot: no such directory");

        Files.writeString(dir.resolve("empty/_metadata"), "{ not json");
        Result garbage = state("info", dir.resolve("empty").toString());
        assertThat(garbage.exit()).isEqualTo(2);
        assertThat(garbage.err()).startsWith(dir.resolve("empty") + " is not a readable snapshot: ").doesNotContain("\tat ");
        assertThat(garbage.err().strip().lines()).hasSize(1);

        Result verb = state("explode", dir.toString());
        assertThat(verb.exit()).isEqualTo(2);
        assertThat(verb.err().strip()).isEqualTo("state explode is not a verb: use info or verify (cairn state help)");

        Result option = state("info", dir.toString(), "--yaml");
        assertThat(option.exit()).isEqualTo(2);
        assertThat(option.err().strip()).isEqualTo("state info: unknown option --yaml (cairn state help)");
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
}
