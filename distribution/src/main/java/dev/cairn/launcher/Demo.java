package dev.cairn.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/cairn demo}: the platform on its embedded defaults (heap backend, local storage)
 * runs the offer enrichment job with frequent checkpoints, survives an injected failure, takes a
 * savepoint, is rescaled live from 2 to 3 subtasks (stop with savepoint, resume), and its output
 * is checked against the expectation computed from the generator alone. Everything goes through
 * the same console commands an operator types.
 */
final class Demo {

    private static final String JOB = "offers-demo";
    private static final long SEED = 2026;
    private static final int EVENTS = 100_000;
    private static final int SKUS = 5_000;
    private static final int RATE_PER_SOURCE_SUBTASK = 800;

    private final PrintStream out;
    private InProcessConsole console;
    private long lastRecords;
    private long startedAt;

    Demo(PrintStream out) {
        this.out = out;
    }

    int run(Path home) {
        try {
            Path data = Files.createTempDirectory("cairn-demo-");
            String summary;
            try (Platform platform = Platform.start(home, data, home.resolve("deploy"), home.resolve("etc"), Map.of())) {
                summary = scenario(platform, data);
            }
            deleteRecursively(data);
            out.println("demo: OK " + summary);
            return 0;
        } catch (Throwable t) {
            out.println("demo: FAILED " + (t.getMessage() == null ? t.toString() : t.getMessage()));
            return 1;
        }
    }

    private String scenario(Platform platform, Path data) throws Exception {
        console = new InProcessConsole(platform.context()).awaitCommand("cairn:create", Duration.ofSeconds(60))
                .awaitCommand("offers:verify", Duration.ofSeconds(60));
        Path output = data.resolve("enriched-offers");
        out.printf("Cairn demo: offer enrichment, %,d events over %,d SKUs, heap backend, file storage in %s%n", EVENTS, SKUS, data);
        out.println("> cairn:create " + JOB + " job.definition=offer-enrichment job.parallelism=2 checkpoint.interval=500ms …");
        console.execute("cairn:create " + JOB + " job.definition=offer-enrichment job.parallelism=2 checkpoint.interval=500ms"
                + " checkpoint.incremental=true checkpoint.retained=3 job.restart-delay=200ms param.output=" + output
                + " param.seed=" + SEED + " param.events=" + EVENTS + " param.skus=" + SKUS + " param.rate=" + RATE_PER_SOURCE_SUBTASK);
        awaitState("RUNNING", Duration.ofSeconds(60));
        startedAt = System.nanoTime();
        for (int second = 1; second <= 8; second++) {
            progress();
        }
        out.println("> cairn:fail " + JOB + "    (a subtask fails at its next record)");
        console.execute("cairn:fail " + JOB);
        for (int second = 1; second <= 5; second++) {
            progress();
        }
        Object restarts = job().get("restarts");
        if (!(restarts instanceof Number n) || n.intValue() < 1 || !"RUNNING".equals(job().get("state"))) {
            throw new IllegalStateException("the job did not recover from the injected failure: " + job());
        }
        out.println("  recovered from the failure (" + restarts + " restart) without losing or repeating output");
        out.println("> cairn:savepoint " + JOB);
        out.println("  " + console.text("cairn:savepoint " + JOB + " before-rescale"));
        progress();
        out.println("> cairn:set " + JOB + " job.parallelism=3    (live rescale: stop with savepoint, resume at 3)");
        console.execute("cairn:set " + JOB + " job.parallelism=3");
        awaitParallelismRunning(3, Duration.ofSeconds(60));
        out.println("  resumed at parallelism 3 from " + job().get("resumes-from"));
        while (!"FINISHED".equals(job().get("state"))) {
            Object state = job().get("state");
            if (!"RUNNING".equals(state) && !"RESTARTING".equals(state) && !"STARTING".equals(state)) {
                throw new IllegalStateException("the job ended " + state + ": " + job().get("reason"));
            }
            if ((System.nanoTime() - startedAt) > Duration.ofMinutes(5).toNanos()) {
                throw new IllegalStateException("the job did not finish within 5 minutes");
            }
            progress();
        }
        out.println("  all " + String.format(Locale.ROOT, "%,d", EVENTS) + " events consumed; job FINISHED");
        out.println("> offers:verify " + output);
        @SuppressWarnings("unchecked")
        Map<String, Object> check = (Map<String, Object>) console.execute(
                "offers:verify " + output + " " + SEED + " " + EVENTS + " " + SKUS);
        out.println("  " + check);
        if (!Boolean.TRUE.equals(check.get("exactly-once"))) {
            throw new IllegalStateException("the output is not exactly once: " + check);
        }
        return "(" + check.get("committed") + " enriched offers, each exactly once, after 1 failure, a savepoint and a live rescale 2 -> 3)";
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> job() throws Exception {
        return (Map<String, Object>) console.execute("cairn:job " + JOB);
    }

    private void progress() throws Exception {
        Thread.sleep(1000);
        Map<String, Object> j = job();
        long records = j.get("records") instanceof Number n ? n.longValue() : lastRecords;
        long rate = Math.max(0, records - lastRecords);
        lastRecords = records;
        long elapsed = Duration.ofNanos(System.nanoTime() - startedAt).toSeconds();
        out.printf(Locale.ROOT, "  %3ds  %-9s p=%s  %,8d records/s  state %9s  last checkpoint %s%n", elapsed, j.get("state"),
                j.get("parallelism"), rate, j.containsKey("checkpoint.state-bytes") ? bytes((Number) j.get("checkpoint.state-bytes")) : "-",
                j.containsKey("checkpoint.id") ? "#" + j.get("checkpoint.id") + " " + j.get("checkpoint.duration-ms") + " ms, "
                        + bytes((Number) j.get("checkpoint.written-bytes")) + " written" : "-");
    }

    private void awaitState(String state, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!state.equals(job().get("state"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + JOB + " is not " + state + " after " + timeout.toSeconds() + " s: " + job());
            }
            Thread.sleep(100);
        }
    }

    private void awaitParallelismRunning(int parallelism, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, Object> j = job();
            if (Integer.valueOf(parallelism).equals(j.get("parallelism")) && "RUNNING".equals(j.get("state")) && j.containsKey("records")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + JOB + " did not resume at parallelism " + parallelism + ": " + j);
            }
            Thread.sleep(100);
        }
    }

    private static String bytes(Number n) {
        double b = n.doubleValue();
        return b < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", b / 1024) : String.format(Locale.ROOT, "%.1f MiB", b / 1024 / 1024);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
