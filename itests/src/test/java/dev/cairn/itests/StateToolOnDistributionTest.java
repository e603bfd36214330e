package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/cairn state} as a user runs it, from the distribution in a process of its own, over
 * savepoints a platform took: canonical, native (RocksDB's files, restored by the RocksDB plugin on
 * the tool's class path) and the kernel's full format.
 */
class StateToolOnDistributionTest {

    /** Events enough (an hour at 300 per second) that the job still runs for every savepoint the test takes, however slow the machine. */
    private static final int LONGER_THAN_THE_TEST = 2_000_000;


    record Run(int exit, String output) {
    }

    /** The S3 test server's secret key (dev.cairn.storage.s3.S3TestServer), which no output may show. */
    private static final String S3_SECRET = "cairn-test-secret-value";

    /** The distribution's launcher in its own JVM, as {@code bin/cairn state …} starts it. */
    static Run cairn(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcairn.home=" + PlatformFixture.HOME, "-cp", PlatformFixture.HOME.resolve("lib") + "/*", "dev.cairn.launcher.Cairn"));
        cmd.addAll(List.of(args));
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(PlatformFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("cairn %s ended", List.of(args)).isTrue();
        return new Run(process.exitValue(), output);
    }

    @Test
    void everyVerbReadsTheSavepointsOfAPlatformsJob() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", LONGER_THAN_THE_TEST, 300, "job.backend=rocksdb");
            p.awaitRecords("offers", 1_000);
            Path savepoints = p.data.resolve("snapshots/offers/savepoints");
            Path jobJar = PlatformFixture.HOME.resolve("deploy/examples.jar");
            for (String format : List.of("canonical", "native", "full")) {
                p.run("cairn:savepoint offers sp-" + format + " --format " + format);
                Path sp = savepoints.resolve("sp-" + format);

                Run info = cairn("state", "info", sp.toString());
                assertThat(info.exit()).as(info.output()).isZero();
                String layout = format.equals("native") ? "rocksdb files" : "key-group sections (" + format + ")";
                assertThat(info.output()).contains("kind      savepoint 'sp-" + format + "'", "backend rocksdb", "operator enrich",
                        "operator offers", "operator product-updates", layout, "product", "next-seq", "parked", "split-positions");

                Run verify = cairn("state", "verify", sp.toString());
                assertThat(verify.exit()).as(verify.output()).isZero();
                assertThat(verify.output()).startsWith("intact: " + sp);

                // the job's own types (Product, stored with Kryo) come from the job's jar, given with --job
                Run keys = cairn("state", "keys", sp.toString(), "enrich", "--limit", "3", "--job", jobJar.toString());
                assertThat(keys.exit()).as(keys.output()).isZero();
                List<String> skus = keys.output().lines().toList();
                assertThat(skus).hasSize(3).allMatch(k -> k.matches("sku-\\d+"));
                Run withoutJob = cairn("state", "get", sp.toString(), "enrich", skus.get(0));
                assertThat(withoutJob.exit()).isEqualTo(2);
                assertThat(withoutJob.output().strip()).as("one line naming the class and the way on")
                        .startsWith(format.equals("native") ? "operator 'enrich' is stored in rocksdb's own files"
                                : "state 'product' of operator 'enrich' is stored with Ttl(Kryo(dev.cairn.examples.offers.Product))")
                        .endsWith(": class dev.cairn.examples.offers.Product is not on the tool's class path; give the job's jar with --job <jar>")
                        .doesNotContain("\n");
                Run get = cairn("state", "get", sp.toString(), "enrich", skus.get(0), "--job", jobJar.toString(), "--json");
                assertThat(get.exit()).as(get.output()).isZero();
                assertThat(get.output()).contains("\"key\":\"" + skus.get(0) + "\"", "\"next-seq\":");
                Run export = cairn("state", "export", sp.toString(), "enrich", p.data.resolve("export-" + format).toString(),
                        "--job", jobJar.toString());
                assertThat(export.exit()).as(export.output()).isZero();
                assertThat(p.data.resolve("export-" + format + "/product.jsonl")).isNotEmptyFile();

                // a new savepoint of sections with another key-group count (from native files through a conversion first)
                Path converted = p.data.resolve("snapshots/imported/converted-" + format);
                Run convert = cairn("state", "convert", sp.toString(), converted.toString(), "--job", jobJar.toString());
                assertThat(convert.exit()).as(convert.output()).isZero();
                Run rewrite = cairn("state", "rewrite", converted.toString(), p.data.resolve("snapshots/imported/rewritten-" + format).toString(),
                        "--max-parallelism", "64", "--job", jobJar.toString());
                assertThat(rewrite.exit()).as(rewrite.output()).isZero();
                assertThat(rewrite.output()).contains("max parallelism 64");
                Run verifyNew = cairn("state", "verify", p.data.resolve("snapshots/imported/rewritten-" + format).toString());
                assertThat(verifyNew.exit()).as(verifyNew.output()).isZero();
            }
            // a savepoint built from JSON Lines for the job definition in the job's jar; a job on the platform starts from it
            Path input = p.data.resolve("bootstrap-input");
            java.nio.file.Files.createDirectories(input);
            List<String> products = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                products.add("{\"key\":\"sku-" + i + "\",\"value\":{\"title\":\"boot-" + i + "\",\"version\":0}}");
            }
            java.nio.file.Files.write(input.resolve("product.jsonl"), products);
            Run boot = cairn("state", "bootstrap", input.toString(), p.data.resolve("snapshots/imported/boot").toString(), "--job",
                    jobJar.toString(), "--definition", "offer-enrichment", "--operator", "enrich", "--name", "boot",
                    "--param", "output=" + p.data.resolve("unused"));
            assertThat(boot.exit()).as(boot.output()).isZero();
            p.createOfferJob("boot", 5_000, 0, "restore.path=imported/boot");
            p.awaitJobState("boot", "FINISHED");
            // the same output as without state, except that the offers before their SKU's first product update have a title now
            Map<String, Object> check = p.verifyOfferJob("boot", 5_000);
            assertThat(check).containsEntry("duplicated", 0L).containsEntry("committed", check.get("expected"));
            assertThat((Long) check.get("missing")).isPositive().isEqualTo(check.get("unexpected"));

            Run notASnapshot = cairn("state", "info", savepoints.toString());
            assertThat(notASnapshot.exit()).isEqualTo(2);
            assertThat(notASnapshot.output().strip()).isEqualTo(savepoints + " is not a snapshot: it holds no _metadata file"
                    + " (give a job's chk-<n> directory or a savepoint's directory)");
        }
    }

    @Test
    void readsAndRewritesASavepointOnS3ThroughTheStoragePlugin() throws Exception {
        try (StorageUnderTest s3 = StorageUnderTest.start("s3"); PlatformFixture p = PlatformFixture.create()) {
            s3.configure(p).deploy(p);
            p.start();
            p.createOfferJob("offers", LONGER_THAN_THE_TEST, 300, s3.jobProperties());
            p.awaitRecords("offers", 1_000);
            p.run("cairn:savepoint offers sp");
            String sp = "s3://itest/cairn/offers/savepoints/sp";
            String config = p.etc.resolve("cairn.storage.s3.cfg").toString();
            Path jobJar = PlatformFixture.HOME.resolve("deploy/examples.jar");

            Run info = cairn("state", "info", sp, "--storage-config", config);
            assertThat(info.exit()).as(info.output()).isZero();
            assertThat(info.output()).contains("kind      savepoint 'sp'", "operator enrich", "product", "next-seq", "parked");
            Run verify = cairn("state", "verify", sp, "--storage-config", config);
            assertThat(verify.exit()).as(verify.output()).isZero();
            assertThat(verify.output()).startsWith("intact: " + sp);
            Run keys = cairn("state", "keys", sp, "enrich", "--limit", "2", "--storage-config", config);
            assertThat(keys.exit()).as(keys.output()).isZero();
            String sku = keys.output().lines().findFirst().orElseThrow();
            Run get = cairn("state", "get", sp, "enrich", sku, "--json", "--job", jobJar.toString(), "--storage-config", config);
            assertThat(get.exit()).as(get.output()).isZero();
            assertThat(get.output()).contains("\"sections-read\":1", "\"next-seq\":");

            // from the object store to a new local savepoint, which reads the same
            Path local = p.data.resolve("snapshots/imported/from-s3");
            Run rewrite = cairn("state", "rewrite", sp, local.toString(), "--max-parallelism", "256", "--job", jobJar.toString(),
                    "--storage-config", config);
            assertThat(rewrite.exit()).as(rewrite.output()).isZero();
            Run again = cairn("state", "get", local.toString(), "enrich", sku, "--json", "--job", jobJar.toString());
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            assertThat(json.readTree(again.output()).get("states")).isEqualTo(json.readTree(get.output()).get("states"));

            Run missing = cairn("state", "info", "s3://itest/cairn/offers/savepoints/nope", "--storage-config", config);
            assertThat(missing.exit()).isEqualTo(2);
            assertThat(missing.output().strip()).isEqualTo("s3://itest/cairn/offers/savepoints/nope is not a snapshot: it holds no _metadata"
                    + " object (give a job's chk-<n> or a savepoint's location)");
            java.nio.file.Files.writeString(p.data.resolve("wrong.cfg"), java.nio.file.Files.readString(java.nio.file.Path.of(config))
                    .replace("credentials=static", "credentials=sideways"));
            Run refused = cairn("state", "info", sp, "--storage-config", p.data.resolve("wrong.cfg").toString());
            assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
            assertThat(refused.output().strip()).as("one line naming the setting").contains("credentials").doesNotContain("\n");
            for (Run r : List.of(info, verify, keys, get, rewrite, missing, refused)) {
                assertThat(r.output()).as("credentials are never printed").doesNotContain(S3_SECRET);
            }
        }
    }
}
