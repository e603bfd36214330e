package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The console outside the JVM: {@code bin/cairn <command>} against a running platform, over
 * loopback, with the token only the platform's user can read; and snapshot commands.
 */
class ConsoleTest {

    @Test
    void binCairnRunsCommandsOnTheRunningPlatformWithItsToken() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 100, "");
            p.awaitJobState("offers", "RUNNING");

            Path token = p.data.resolve("console.token");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
            // ConfigAdmin's files (storage secrets among them) lie in a folder only the platform's user enters
            Path configs = p.data.resolve("config");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configs))).isEqualTo("rwx------");
            try (var files = Files.walk(configs)) {
                assertThat(files.map(Path::toString)).anyMatch(f -> f.endsWith(".config"));
            }

            Result jobs = binCairn(p, "jobs");
            assertThat(jobs.exit).isZero();
            assertThat(jobs.output).containsPattern("offers\\s+RUNNING\\s+offer-enrichment\\s+heap\\s+file\\s+2");

            // the job definition checks its parameters at create: nothing is created
            Result noOutput = binCairn(p, "create", "bad", "job.definition=offer-enrichment");
            assertThat(noOutput.exit).isEqualTo(1);
            assertThat(noOutput.output).contains("param.output=null is not allowed: use an absolute directory path");
            String output = "param.output=" + p.root.resolve("bad-out");
            Result rate = binCairn(p, "create", "bad", "job.definition=offer-enrichment", output, "param.rate=fast");
            assertThat(rate.exit).isEqualTo(1);
            assertThat(rate.output).contains("param.rate=fast is not allowed: use an integer from 0 to");
            Result events = binCairn(p, "create", "bad", "job.definition=offer-enrichment", output, "param.events=-5");
            assertThat(events.exit).isEqualTo(1);
            assertThat(events.output).contains("param.events=-5 is not allowed: use an integer from 1 to");
            Result root = binCairn(p, "create", "bad", "job.definition=offer-enrichment", output, "storage.root=relative/path");
            assertThat(root.exit).isEqualTo(1);
            assertThat(root.output).contains("storage.root=relative/path is not allowed: use an absolute directory path");
            assertThat(binCairn(p, "job", "bad").exit).isEqualTo(1);
            Result badSet = binCairn(p, "set", "offers", "param.skus=none");
            assertThat(badSet.exit).isEqualTo(1);
            assertThat(badSet.output).contains("param.skus=none is not allowed");

            Result json = binCairn(p, "jobs", "--json");
            assertThat(json.exit).isZero();
            assertThat(json.output.strip()).startsWith("[").endsWith("]").contains("\"name\" : \"offers\"").contains("\"state\" : \"RUNNING\"")
                    .contains("\"recordsPerSecond\"");
            Result badOption = binCairn(p, "jobs", "--yaml");
            assertThat(badOption.exit).isEqualTo(1);
            assertThat(badOption.output).contains("jobs takes only --json, not --yaml");
            Result plugins = binCairn(p, "plugins", "--json");
            assertThat(plugins.exit).isZero();
            assertThat(plugins.output).contains("\"bundle\" : \"dev.cairn.backend.heap\"").contains("\"jobs\" : [ \"offers\" ]");

            assertThat(watchUpdates(p, 2)).allSatisfy(u -> assertThat(u).containsPattern("offers\\s+RUNNING"));
            Result badWatch = binCairn(p, "jobs", "--watch", "0");
            assertThat(badWatch.exit).isEqualTo(1);
            assertThat(badWatch.output).contains("jobs --watch 0 is not allowed");

            Result job = binCairn(p, "job", "offers");
            assertThat(job.exit).isZero();
            assertThat(job.output).containsPattern("(?m)^state\\s{2,}RUNNING$").containsPattern("(?m)^checkpoints\\.completed\\s{2,}\\d+$");

            Result unknown = binCairn(p, "job", "nope");
            assertThat(unknown.exit).isEqualTo(1);
            assertThat(unknown.output).contains("No job named 'nope'");

            Result refused = binCairn(p, "set", "offers", "job.max-restarts=-1");
            assertThat(refused.exit).isEqualTo(1);
            assertThat(refused.output).contains("job.max-restarts=-1 is not allowed");

            Result typo = binCairn(p, "jbos");
            assertThat(typo.exit).isEqualTo(1);
            assertThat(typo.output).contains("unknown command 'jbos'. Did you mean 'jobs'?");
            Result noName = binCairn(p, "job");
            assertThat(noName.exit).isEqualTo(1);
            assertThat(noName.output.strip()).isEqualTo("usage: job <name>");
            Result help = binCairn(p, "help", "job");
            assertThat(help.exit).isZero();
            assertThat(help.output).contains("usage: job <name>");
            Result nothingToSet = binCairn(p, "set", "offers");
            assertThat(nothingToSet.exit).isEqualTo(1);
            assertThat(nothingToSet.output).contains("nothing to set on offers");

            String secret = Files.readString(token).trim();
            assertThat(send(p, secret, "felix:lb")).first().asString().startsWith("refused: 'felix:lb' is not a Cairn command");
            assertThat(send(p, secret, "cairn:jobs ; felix:lb")).contains("cairn-exit: 1").noneMatch(l -> l.contains("System Bundle"));

            assertThat(send(p, "not-the-token", "cairn:jobs")).containsExactly("refused: wrong or missing console token", "cairn-exit: 2");
            assertThat(send(p, Files.readString(token).trim(), "cairn:plugins")).anyMatch(l -> l.matches("backend\\s+heap\\s+dev.cairn.backend.heap.*offers.*"));
        }
    }

    @Test
    void snapshotsAreListedShownAndDeletedThroughThePlatform() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            p.createOfferJob("offers", 1_000_000, 200, "checkpoint.retained=2");
            p.awaitJobState("offers", "RUNNING");
            PlatformFixture.await(() -> p.jobValue("offers", "checkpoint.id") != null, () -> "a checkpoint: " + p.safeJob("offers"));

            assertThat(p.text("cairn:savepoint offers sp1")).isEqualTo("savepoint offers/savepoints/sp1");
            String list = p.text("cairn:snapshots offers");
            assertThat(list).containsPattern("savepoint\\s+offers/savepoints/sp1\\s+\\d+\\s+user\\s+canonical\\s")
                    .containsPattern("checkpoint\\s+offers/chk-\\d+\\s+\\d+\\s+platform");
            assertThat(p.text("cairn:snapshots offers --json")).contains("\"path\" : \"offers/savepoints/sp1\"", "\"owner\" : \"user\"",
                    "\"size-bytes\" : ", "\"recovery-point\" : ", "\"problems\" : [ ]");
            assertThat(p.text("cairn:snapshot offers offers/savepoints/sp1 --json")).contains("\"kind\" : \"SAVEPOINT\"", "\"crc32c\"", "\"jobName\" : \"offers\"");
            String summary = p.text("cairn:snapshot offers offers/savepoints/sp1");
            assertThat(summary).containsPattern("(?m)^kind\\s+SAVEPOINT, format canonical, backend heap$")
                    .containsPattern("(?m)^job\\s+offers, max parallelism \\d+$")
                    .containsPattern("(?m)^size\\s+[\\d.]+ (B|KiB|MiB) in \\d+ files")
                    .containsPattern("(?m)^enrich\\s+2\\s+key-group sections \\(canonical\\)\\s+.*\\((value|list|map|reducing|aggregating)")
                    .doesNotContain("crc32c");
            assertThat(summary.lines().count()).as(summary).isLessThan(20);

            String checkpoint = list.lines().filter(l -> l.startsWith("checkpoint")).findFirst().orElseThrow().split("\\s+")[1];
            assertThatThrownBy(() -> p.run("cairn:discard offers " + checkpoint)).hasMessageContaining("checkpoints belong to the platform");
            assertThatThrownBy(() -> p.run("cairn:snapshot offers offers/../../etc")).hasMessageContaining("..");
            assertThatThrownBy(() -> p.run("cairn:snapshot offers other/savepoints/x")).hasMessageContaining("is not a snapshot of job offers");

            Path sp1 = p.data.resolve("snapshots/offers/savepoints/sp1");
            assertThat(sp1.resolve("_metadata")).exists();
            // the stop's savepoint is the job's recovery point: the platform refuses to delete it
            assertThat(p.text("cairn:stop offers sp2")).isEqualTo("stopped job offers with savepoint offers/savepoints/sp2");
            assertThat(p.text("cairn:snapshots offers")).containsPattern("savepoint\\s+offers/savepoints/sp2\\s.*recovery point");
            assertThatThrownBy(() -> p.run("cairn:discard offers offers/savepoints/sp2")).hasMessageContaining("recovers from offers/savepoints/sp2");
            assertThat(p.text("cairn:discard offers offers/savepoints/sp1")).isEqualTo("deleted savepoint offers/savepoints/sp1");
            assertThat(sp1.resolve("_metadata")).doesNotExist();
            assertThat(p.text("cairn:snapshots offers")).doesNotContain("sp1");
            p.run("cairn:start offers");
            p.awaitJobState("offers", "RUNNING");
            assertThat(p.job("offers")).containsEntry("restarts", 0L);

            // removing a running job prints the savepoint it stopped with, which holds its state
            String removed = p.text("cairn:remove offers");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("removed job offers; its state is in savepoint (offers/savepoints/\\S+)"
                    + " \\(restore.path=\\1 starts a job from it\\)").matcher(removed);
            assertThat(m.matches()).as(removed).isTrue();
            assertThat(p.data.resolve("snapshots").resolve(m.group(1)).resolve("_metadata")).exists();
            assertThat(p.text("cairn:jobs")).doesNotContain("offers");
        }
    }

    private record Result(int exit, String output) {
    }

    /** The distribution's own script, as a user runs it, pointed at the fixture's data. */
    private static Result binCairn(PlatformFixture p, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PlatformFixture.HOME.resolve("bin/cairn").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CAIRN_JAVA_OPTS", "-Xmx64m -Dcairn.data=" + p.data);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    /** Runs {@code bin/cairn jobs --watch 1} until it has printed {@code updates} tables, then stops it; returns each table. */
    private static List<String> watchUpdates(PlatformFixture p, int updates) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(PlatformFixture.HOME.resolve("bin/cairn").toString(), "jobs", "--watch", "1").redirectErrorStream(true);
        pb.environment().put("CAIRN_JAVA_OPTS", "-Xmx64m -Dcairn.data=" + p.data);
        Process process = pb.start();
        List<String> tables = new java.util.ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder table = null;
            for (String line = in.readLine(); line != null && tables.size() < updates; line = in.readLine()) {
                if (line.contains("(every 1 s, Ctrl-C to stop)")) {
                    if (table != null) {
                        tables.add(table.toString());
                    }
                    table = new StringBuilder();
                } else if (table != null) {
                    table.append(line).append('\n');
                }
            }
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(tables).as("tables printed by jobs --watch").hasSize(updates);
        return tables;
    }

    private static List<String> send(PlatformFixture p, String token, String command) throws Exception {
        int port = Integer.parseInt(Files.readString(p.data.resolve("console.port")).trim());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
             PrintStream out = new PrintStream(s.getOutputStream(), true, StandardCharsets.UTF_8);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            out.println(token);
            out.println(command);
            return in.lines().toList();
        }
    }
}
