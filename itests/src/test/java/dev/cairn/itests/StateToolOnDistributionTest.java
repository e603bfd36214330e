package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/cairn state} as a user runs it, from the distribution in a process of its own, over
 * savepoints a platform took: canonical, native (RocksDB's files) and the kernel's full format.
 */
class StateToolOnDistributionTest {

    record Run(int exit, String output) {
    }

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
    void infoAndVerifyReadTheSavepointsOfAPlatformsJob() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 20_000, 300, "job.backend=rocksdb");
            p.awaitRecords("offers", 1_000);
            Path savepoints = p.data.resolve("snapshots/offers/savepoints");
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
            }
            Run notASnapshot = cairn("state", "info", savepoints.toString());
            assertThat(notASnapshot.exit()).isEqualTo(2);
            assertThat(notASnapshot.output().strip()).isEqualTo(savepoints + " is not a snapshot: it holds no _metadata file"
                    + " (give a job's chk-<n> directory or a savepoint's directory)");
        }
    }
}
