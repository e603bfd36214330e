package dev.cairn.itests;

import dev.cairn.launcher.ConsoleClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cairn platform in a process of its own ({@code bin/cairn run}, as an operator starts it), so
 * that it can be killed for real. Its home links the distribution's bundles and libraries and has
 * its own {@code deploy/} and {@code etc/}; commands go through the same console client as
 * {@code bin/cairn <command>}.
 */
final class PlatformProcess implements AutoCloseable {

    final Path root;
    final Path home;
    final Path data;
    private Process process;
    private Path log;
    private boolean paused;
    private int starts;

    private PlatformProcess(Path root) {
        this.root = root;
        this.home = root.resolve("home");
        this.data = root.resolve("data");
    }

    static PlatformProcess create() throws IOException {
        PlatformProcess p = new PlatformProcess(Files.createTempDirectory("cairn-process-"));
        Files.createDirectories(p.home);
        for (String linked : List.of("bin", "bundle", "conf", "lib", "plugins", "tools")) {
            Files.createSymbolicLink(p.home.resolve(linked), PlatformFixture.HOME.resolve(linked));
        }
        PlatformFixture.copyFolder(PlatformFixture.HOME.resolve("deploy"), p.home.resolve("deploy"));
        PlatformFixture.copyFolder(PlatformFixture.HOME.resolve("etc"), p.home.resolve("etc"));
        return p;
    }

    /** Puts a plugin into deploy/ before the platform starts. */
    void deploy(Path plugin) throws IOException {
        Files.copy(plugin, home.resolve("deploy").resolve(plugin.getFileName()));
    }

    /** Starts the platform; with {@code crashAt} ({@code <point>[@<n>]}) it halts there. Returns once its console answers. */
    PlatformProcess start(String crashAt) throws Exception {
        process = launch(crashAt);
        PlatformFixture.await(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("The platform exited with " + process.exitValue() + " while starting: " + logText());
            }
            try {
                return console("cairn:jobs").exit == 0;
            } catch (IOException e) {
                return false; // not listening yet (or the port file is the killed one's)
            }
        }, () -> "the platform's console: " + logText());
        return this;
    }

    /** Launches {@code bin/cairn run} on this home and data folder without waiting for it. */
    Process launch(String crashAt) throws IOException {
        log = root.resolve("process-" + (++starts) + ".log");
        return launch(home, data, crashAt, log);
    }

    /** {@code bin/cairn run} with {@code home} and {@code data} (and bin/cairn's JVM options), its output going to {@code log}. */
    static Process launch(Path home, Path data, String crashAt, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + home.resolve("conf/jvm.options"), "-Xmx768m",
                "-Dcairn.home=" + home, "-Dcairn.data=" + data));
        if (crashAt != null) {
            cmd.add("-Dcairn.crash-at=" + crashAt);
        }
        cmd.addAll(List.of("-cp", home.resolve("lib") + "/*", "dev.cairn.launcher.Cairn", "run"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }

    /** The files the running platform process has mapped whose name contains {@code name} (Linux: /proc/<pid>/maps). */
    List<Path> mappedFiles(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "maps")).stream()
                .filter(line -> line.indexOf('/') >= 0).map(line -> line.substring(line.indexOf('/')))
                .filter(file -> file.contains(name)).distinct().map(Path::of).toList();
    }

    String logText() {
        try {
            return log == null ? "" : Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    record Answer(int exit, String text) {
    }

    Answer console(String command) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = ConsoleClient.run(data, command, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Answer(exit, bytes.toString(StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed. */
    String run(String command) throws IOException {
        Answer a = console(command);
        if (a.exit != 0) {
            throw new AssertionError("'" + command + "' failed (" + a.exit + "): " + a.text);
        }
        return a.text;
    }

    /** A value of {@code cairn:job <name>}, or null. */
    String jobValue(String job, String key) {
        try {
            Matcher m = Pattern.compile("(?m)^\\s*" + Pattern.quote(key) + "\\s+(\\S+)").matcher(run("cairn:job " + job));
            return m.find() ? m.group(1) : null;
        } catch (IOException | AssertionError e) {
            return null;
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Waits for the process to end by itself (a crash point halts it); its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(PlatformFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("The platform did not end: " + logText());
        }
        return process.exitValue();
    }

    /** Kills the platform with SIGKILL (kill -9): no shutdown hook, no handover, producers gone with their transactions open. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Halts every thread of the platform (SIGSTOP), as a long pause of the whole JVM does: it answers nothing, its heartbeats stop. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
        paused = true;
    }

    /** Lets a paused platform run on (SIGCONT) from where it was halted. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
        paused = false;
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Stops the platform as Ctrl-C does (its jobs stop with a savepoint). */
    void stop() throws InterruptedException {
        if (paused && alive()) {
            try {
                resume(); // a stopped process takes no signal but SIGKILL
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        if (alive()) {
            process.destroy();
            if (!process.waitFor(PlatformFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            if (process != null && process.isAlive()) {
                process.destroyForcibly().waitFor();
            }
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
