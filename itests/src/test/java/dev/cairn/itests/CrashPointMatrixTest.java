package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exactly once across real crashes: a platform process runs the offer job with a crash point
 * armed ({@code -Dcairn.crash-at}), halts there as kill -9 would, is started again on the same
 * data folder, and the job's output is compared with the generator's independent expectation.
 * Afterwards nothing is left over: every stored object belongs to a snapshot the ledger lists,
 * and no sink transaction is left in progress.
 *
 * <p>{@code ./mvnw verify} runs a representative subset; {@code -Dcairn.crash-matrix=full} (the
 * {@code crash-matrix} profile) runs every point on heap (full and incremental snapshots) and
 * RocksDB, and the checkpoint-path points a second time later in the run.
 */
class CrashPointMatrixTest {

    // long enough that the job is still running when an action lands on a loaded machine (at 3,000 records)
    private static final int EVENTS = 40_000;
    private static final int RATE = 2_500;
    private static final int SKUS = 300;
    private static final long SEED = 11;
    private static final String JOB = "crash";
    /**
     * Every point the job reaches by itself (Action.RUN) is passed at least once per checkpoint
     * (retention from the third on), so sources that end only after nth + 3 completed checkpoints
     * keep the job running until the point is reached, however slowly the machine runs. The other
     * points come with the test's own action.
     */
    private static final int CHECKPOINTS_PAST_THE_POINT = 3;

    /** What the test does to reach a point. */
    enum Action { RUN, SAVEPOINT, STOP, RESCALE, FAIL, RESUME, SWITCH_BACKEND, MOVE_STORAGE }

    record Point(String id, Action action, int nth) {
    }

    private static final List<Point> POINTS = List.of(
            new Point("task.before-snapshot", Action.RUN, 3),
            new Point("sink.before-precommit", Action.RUN, 3),
            new Point("sink.after-precommit", Action.RUN, 3),
            new Point("snapshot.before-upload", Action.RUN, 3),
            new Point("snapshot.after-upload", Action.RUN, 3),
            new Point("checkpoint.after-first-ack", Action.RUN, 3),
            new Point("checkpoint.before-metadata-commit", Action.RUN, 3),
            new Point("checkpoint.after-metadata-commit", Action.RUN, 3),
            new Point("ledger.before-write", Action.RUN, 4),
            new Point("ledger.after-write", Action.RUN, 4),
            new Point("ledger.after-prune", Action.RUN, 4),
            new Point("sink.before-commit", Action.RUN, 3),
            new Point("sink.after-commit", Action.RUN, 3),
            new Point("retention.before-delete", Action.RUN, 2),
            new Point("retention.after-metadata-delete", Action.RUN, 2),
            new Point("retention.after-delete", Action.RUN, 2),
            new Point("savepoint.before-metadata-commit", Action.SAVEPOINT, 1),
            new Point("savepoint.after-metadata-commit", Action.SAVEPOINT, 1),
            new Point("stop.after-savepoint", Action.STOP, 1),
            new Point("stop.after-job-ended", Action.STOP, 1),
            new Point("handover.before-savepoint", Action.RESCALE, 1),
            new Point("handover.before-restart", Action.RESCALE, 1),
            new Point("handover.after-restart", Action.RESCALE, 1),
            new Point("sweep.before-delete", Action.RESCALE, 2),
            new Point("sweep.after-delete", Action.RESCALE, 2),
            new Point("recovery.before-restore", Action.FAIL, 2),
            new Point("recovery.after-restore", Action.FAIL, 2),
            new Point("sink.before-abort-lingering", Action.FAIL, 2),
            new Point("resume.after-ledger-update", Action.RESUME, 1),
            // a live backend switch (through a canonical savepoint) and a live move to another storage root
            new Point("handover.before-savepoint", Action.SWITCH_BACKEND, 1),
            new Point("stop.after-savepoint", Action.SWITCH_BACKEND, 1),
            new Point("handover.before-restart", Action.SWITCH_BACKEND, 1),
            new Point("handover.after-restart", Action.SWITCH_BACKEND, 1),
            new Point("stop.after-savepoint", Action.MOVE_STORAGE, 1),
            new Point("handover.before-restart", Action.MOVE_STORAGE, 1),
            new Point("handover.after-restart", Action.MOVE_STORAGE, 1));

    /**
     * Backend and snapshot kind: heap full, heap incremental, RocksDB incremental, the changelog over
     * each backend, unaligned checkpoints of a job whose slow sink keeps records queued, and the
     * off-heap plugin (deployed from plugins/).
     */
    private static final List<String> SETUPS = List.of("heap incremental=false", "heap incremental=true", "rocksdb incremental=true",
            "heap changelog=true", "rocksdb changelog=true", "heap unaligned=true", "rocksdb unaligned=true", "offheap incremental=true");
    /** A shorter timeline for the unaligned runs: at 2 ms per record the sink takes 8 s for it, the sources 1.6 s. */
    private static final int UNALIGNED_EVENTS = 8_000;

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger RESTARTS = new AtomicInteger();
    private static final AtomicInteger LOST = new AtomicInteger();
    private static final AtomicInteger DUPLICATED = new AtomicInteger();
    private static final AtomicInteger LEFTOVERS = new AtomicInteger();

    static Stream<Arguments> crashes() {
        boolean full = "full".equals(System.getProperty("cairn.crash-matrix"));
        List<Arguments> runs = new ArrayList<>();
        if ("switches".equals(System.getProperty("cairn.crash-matrix"))) {
            // only the live backend switches and storage moves, on every setup
            for (String setup : SETUPS) {
                POINTS.stream().filter(p -> p.action() == Action.SWITCH_BACKEND || p.action() == Action.MOVE_STORAGE)
                        .forEach(p -> runs.add(Arguments.of(p.id(), setup, p.nth(), p.action())));
            }
            return runs.stream();
        }
        if (!full) {
            // one of each kind of seam, both backends
            runs.add(Arguments.of("ledger.after-write", "heap incremental=true", 4, Action.RUN));
            runs.add(Arguments.of("sink.before-commit", "rocksdb incremental=true", 3, Action.RUN));
            runs.add(Arguments.of("stop.after-savepoint", "heap incremental=false", 1, Action.STOP));
            runs.add(Arguments.of("handover.before-restart", "rocksdb incremental=true", 1, Action.RESCALE));
            runs.add(Arguments.of("retention.after-metadata-delete", "rocksdb incremental=true", 2, Action.RUN));
            runs.add(Arguments.of("sink.before-abort-lingering", "heap incremental=true", 2, Action.FAIL));
            runs.add(Arguments.of("handover.before-restart", "heap incremental=true", 1, Action.SWITCH_BACKEND));
            runs.add(Arguments.of("handover.before-restart", "rocksdb incremental=true", 1, Action.MOVE_STORAGE));
            // the changelog: a crash after a checkpoint's log tail is uploaded, after a commit, while restoring, in a rescale
            runs.add(Arguments.of("snapshot.after-upload", "heap changelog=true", 3, Action.RUN));
            runs.add(Arguments.of("checkpoint.after-metadata-commit", "rocksdb changelog=true", 5, Action.RUN));
            runs.add(Arguments.of("recovery.after-restore", "rocksdb changelog=true", 2, Action.FAIL));
            runs.add(Arguments.of("handover.before-restart", "heap changelog=true", 1, Action.RESCALE));
            // unaligned checkpoints: a crash once a subtask stored its records in flight, and a recovery that replays them
            // (reached by each of the 6 subtasks per checkpoint: the 15th is in checkpoint 3)
            runs.add(Arguments.of("snapshot.after-upload", "heap unaligned=true", 15, Action.RUN));
            runs.add(Arguments.of("checkpoint.after-metadata-commit", "rocksdb unaligned=true", 3, Action.RUN));
            // the off-heap backend: a crash while snapshots read its maps, and after a commit
            runs.add(Arguments.of("snapshot.after-upload", "offheap incremental=true", 5, Action.RUN));
            runs.add(Arguments.of("checkpoint.after-metadata-commit", "offheap incremental=true", 4, Action.RUN));
            return runs.stream();
        }
        for (String setup : SETUPS) {
            for (Point p : POINTS) {
                if (!setup.contains("unaligned")) {
                    runs.add(Arguments.of(p.id(), setup, p.nth(), p.action()));
                } else if (p.action() == Action.RUN) {
                    // later, so that a checkpoint holding records in flight has completed before the crash
                    runs.add(Arguments.of(p.id(), setup, p.nth() + 12, p.action()));
                } else if (p.action() == Action.FAIL) {
                    runs.add(Arguments.of(p.id(), setup, p.nth(), p.action()));
                }
            }
        }
        for (Point p : POINTS) {
            if (p.action() == Action.RUN) {
                runs.add(Arguments.of(p.id(), "heap incremental=true", p.nth() + 6, p.action()));
            }
        }
        return runs.stream();
    }

    @ParameterizedTest(name = "{0}@{2} on {1}, {3}")
    @MethodSource("crashes")
    void crashAtThePointThenRestartExactlyOnce(String point, String setup, int nth, Action action) throws Exception {
        String backend = setup.split(" ")[0];
        boolean changelog = setup.contains("changelog=true");
        boolean unaligned = setup.contains("unaligned=true");
        String snapshots = changelog ? "checkpoint.incremental=true job.changelog=true"
                : unaligned ? "checkpoint.incremental=" + backend.equals("rocksdb") + " checkpoint.unaligned=true param.sink-delay-us=2000"
                : "checkpoint.incremental=" + setup.split("=")[1];
        int events = unaligned ? UNALIGNED_EVENTS : EVENTS;
        try (PlatformProcess platform = PlatformProcess.create()) {
            Path out = platform.root.resolve("out");
            if (backend.equals("offheap")) {
                platform.deploy(PlatformFixture.HOME.resolve("plugins/plugin-backend-offheap.jar"));
            }
            platform.start(point + "@" + nth);
            if (changelog) {
                // materialisations during the run, so that checkpoints build on them and the log is truncated
                platform.run("cairn:set cairn.backend.changelog materialization-interval=300ms upload-delay=50ms");
            }
            platform.run("cairn:create " + JOB + " job.definition=offer-enrichment job.parallelism=2 checkpoint.interval=100ms"
                    + " job.restart-delay=100ms job.max-restarts=50 checkpoint.retained=2 job.backend=" + backend
                    + " " + snapshots + " param.output=" + out + " param.seed=" + SEED
                    + " param.events=" + events + " param.skus=" + SKUS + " param.rate=" + RATE
                    + " param.checkpoints-before-end=" + (nth + CHECKPOINTS_PAST_THE_POINT));
            act(platform, action, backend);
            awaitCrash(platform, point);
            RUNS.incrementAndGet();
            Set<String> killedRunsFolders = workingFolders(platform);
            if (action == Action.RUN) { // killed while the job ran: its working folder is there
                assertThat(killedRunsFolders).as("the killed run's working folders").isNotEmpty();
            }

            platform.start(null);
            Set<String> left = workingFolders(platform);
            left.retainAll(killedRunsFolders);
            assertThat(left).as("working folders of the killed run, after the restart").isEmpty();
            if ("SUSPENDED".equals(platform.jobValue(JOB, "state"))) {
                platform.run("cairn:start " + JOB);
            }
            PlatformFixture.await(() -> "FINISHED".equals(platform.jobValue(JOB, "state")),
                    () -> "the job to finish after the restart: " + platform.logText());
            if (backend.equals("rocksdb")) {
                // its native library comes from the framework's storage in data/, cleaned at each start: RocksJava unpacking
                // it into the system's temporary folder would leave 13 MiB there at every kill
                assertThat(platform.mappedFiles("librocksdbjni")).as("RocksDB's native library").isNotEmpty()
                        .allMatch(file -> file.startsWith(platform.data.resolve("framework")));
            }
            assertThat(platform.data.resolve("framework/fileinstall")).as("FileInstall's scratch folder, in the framework's storage").isDirectory();
            RESTARTS.incrementAndGet();
            if (unaligned && action == Action.RUN) {
                // the sink is ten times slower than the sources: every checkpoint found records queued, the one recovered from too
                assertThat(Files.readString(platform.data.resolve("cairn.log"))).as("the platform's log")
                        .containsPattern("replays [1-9][0-9]* records in flight");
            }
            String verdict = platform.run("offers:verify " + out + " " + SEED + " " + events + " " + SKUS);
            int missing = number(verdict, "missing");
            int duplicated = number(verdict, "duplicated");
            LOST.addAndGet(missing);
            DUPLICATED.addAndGet(duplicated);
            Path root = action == Action.MOVE_STORAGE ? platform.root.resolve("moved") : platform.data.resolve("snapshots");
            Set<String> leftovers = leftovers(root.resolve(JOB), out);
            LEFTOVERS.addAndGet(leftovers.size());
            System.out.printf("crash-matrix: %s@%d on %s: missing %d, duplicated %d, leftovers %s%n", point, nth, setup, missing, duplicated, leftovers);
            assertThat(verdict).as("offers:verify after a crash at %s", point).containsPattern("exactly-once\\s+true");
            assertThat(leftovers).as("files no snapshot in the ledger references, or transactions left in progress").isEmpty();

            platform.stop(); // SIGTERM, as an operator's Ctrl-C: the log says when the platform started and stopped
            assertThat(Files.readString(platform.data.resolve("cairn.log"))).contains("Cairn started (home ")
                    .contains("Cairn stopping (Ctrl-C, SIGTERM or shutdown)").contains("Cairn stopped");
        }
    }

    private static void act(PlatformProcess platform, Action action, String backend) throws Exception {
        if (action == Action.RUN) {
            return;
        }
        PlatformFixture.await(() -> records(platform) >= 3_000, () -> "3000 records: " + platform.logText());
        switch (action) {
            case SAVEPOINT -> quietly(platform, "cairn:savepoint " + JOB);
            case STOP -> quietly(platform, "cairn:stop " + JOB);
            case RESCALE -> quietly(platform, "cairn:set " + JOB + " job.parallelism=3");
            case SWITCH_BACKEND -> quietly(platform, "cairn:set " + JOB + " job.backend=" + (backend.equals("heap") ? "rocksdb" : "heap"));
            case MOVE_STORAGE -> quietly(platform, "cairn:set " + JOB + " storage.root=" + platform.root.resolve("moved"));
            case FAIL -> quietly(platform, "cairn:fail " + JOB);
            case RESUME -> {
                String stopped = platform.run("cairn:stop " + JOB + " before-resume");
                assertThat(stopped).contains(JOB + "/savepoints/before-resume");
                quietly(platform, "cairn:resume " + JOB + " " + JOB + "/savepoints/before-resume");
            }
            default -> throw new IllegalStateException(action.name());
        }
    }

    private static long records(PlatformProcess platform) {
        if ("WAITING".equals(platform.jobValue(JOB, "state"))) {
            throw new AssertionError("The job could not start: " + platform.logText());
        }
        String r = platform.jobValue(JOB, "records");
        return r == null ? 0 : Long.parseLong(r);
    }

    /** A command during which the platform may halt: its answer does not matter. */
    private static void quietly(PlatformProcess platform, String command) {
        try {
            platform.console(command);
        } catch (IOException e) {
            // the platform died under the command: that is the point
        }
    }

    /** Waits for the halt, failing fast if the job ended without reaching the point. */
    private static void awaitCrash(PlatformProcess platform, String point) throws Exception {
        PlatformFixture.await(() -> {
            if (!platform.alive()) {
                return true;
            }
            String state = platform.jobValue(JOB, "state");
            if ("FINISHED".equals(state) || "FAILED".equals(state) || "WAITING".equals(state)) {
                throw new AssertionError("The job " + state + " without reaching crash point " + point + ": " + platform.logText());
            }
            return false;
        }, () -> "the platform to halt at " + point);
        assertThat(platform.awaitExit()).as("exit code of the halted platform; log: %s", platform.logText()).isEqualTo(137); // killed by SIGKILL (dev.cairn.core.internal.crash.CrashPoint)
        assertThat(platform.logText()).contains("cairn: crash point " + point);
    }

    /** The jobs' working folders in data/work. */
    private static Set<String> workingFolders(PlatformProcess platform) throws IOException {
        try (Stream<Path> files = Files.list(platform.data.resolve("work"))) {
            return files.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static int number(String verdict, String key) {
        Matcher m = Pattern.compile("(?m)^\\s*" + key + "\\s+(\\d+)").matcher(verdict);
        if (!m.find()) {
            throw new AssertionError("no " + key + " in " + verdict);
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * Stored objects of the job that belong to no snapshot its newest ledger version lists (a
     * shared file must be named by one of their metadata files), temporary files, and sink
     * transactions still in progress.
     */
    static Set<String> leftovers(Path jobDir, Path out) throws IOException {
        Set<String> result = new TreeSet<>();
        Path newest;
        try (Stream<Path> versions = Files.list(jobDir.resolve("ledger"))) {
            newest = versions.max(Comparator.naturalOrder()).orElseThrow();
        }
        String ledger = Files.readString(newest);
        List<String> entryDirs = new ArrayList<>();
        Matcher m = Pattern.compile("\"directory\"\\s*:\\s*\"([^\"]+)\"").matcher(ledger);
        while (m.find()) {
            entryDirs.add(m.group(1).substring(m.group(1).indexOf('/') + 1));
        }
        StringBuilder metadata = new StringBuilder();
        for (String d : entryDirs) {
            Path md = jobDir.resolve(d).resolve("_metadata");
            if (Files.exists(md)) {
                metadata.append(Files.readString(md, StandardCharsets.UTF_8));
            }
        }
        try (Stream<Path> files = Files.walk(jobDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = jobDir.relativize(f).toString();
                boolean listed = rel.startsWith("ledger/") || entryDirs.stream().anyMatch(d -> rel.startsWith(d + "/"));
                boolean referencedShared = rel.startsWith("shared/") && metadata.indexOf("\"" + rel + "\"") >= 0;
                if (f.getFileName().toString().startsWith(".inprogress-") || !(listed || referencedShared)) {
                    result.add(rel);
                }
            }
        }
        Path inProgress = out.resolve(".in-progress");
        if (Files.isDirectory(inProgress)) {
            try (Stream<Path> files = Files.list(inProgress)) {
                files.forEach(f -> result.add("out/.in-progress/" + f.getFileName()));
            }
        }
        return result;
    }

    @AfterAll
    static void report() throws IOException {
        String summary = String.format("crash-matrix summary: %d crash runs, %d restarts survived, %d records lost, %d duplicated, %d files left over%n",
                RUNS.get(), RESTARTS.get(), LOST.get(), DUPLICATED.get(), LEFTOVERS.get());
        System.out.print(summary);
        Files.writeString(Path.of("target", "crash-matrix-summary.txt"), summary);
    }
}
