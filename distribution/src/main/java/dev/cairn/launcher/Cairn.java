package dev.cairn.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Date;
import java.util.Locale;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * {@code bin/cairn}: {@code run} starts the platform in the foreground, {@code demo} runs the
 * demo, anything else is a console command for the platform running from this distribution.
 */
public final class Cairn {

    private Cairn() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("cairn.home", ".")).toAbsolutePath().normalize();
        Path data = Path.of(System.getProperty("cairn.data", home.resolve("data").toString()));
        String command = args.length == 0 ? "help" : args[0];
        if (command.equals("jobs") && args.length > 1 && args[1].equals("--watch")) {
            System.exit(watchJobs(data, args.length > 2 ? args[2] : "2"));
        }
        int exit = switch (command) {
            case "run" -> run(home, data);
            case "state" -> {
                // the tool answers in one line itself; a plugin's warnings (a refused setting) would only repeat it
                java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.SEVERE);
                yield OfflineTool.run(home, "dev.cairn.tools.state.StateTool", java.util.Arrays.copyOfRange(args, 1, args.length));
            }
            case "demo" -> {
                logTo(Files.createTempFile("cairn-demo-", ".log"));
                yield new Demo(System.out).run(home);
            }
            case "help", "--help", "-h" -> {
                if (args.length > 1) { // one command's usage, as the running platform knows it
                    yield ConsoleClient.run(data, "help " + args[1], System.out);
                }
                System.out.println("""
                        usage: bin/cairn run                 start the platform in the foreground (Gogo shell on a terminal)
                               bin/cairn demo                run the demo on the embedded defaults; ends with 'demo: OK'
                               bin/cairn <command> [args…]   run a console command on the running platform, e.g.
                                 jobs [--json | --watch [seconds]] | job <name> | create <name> key=value…
                                 start|stop|cancel|fail|remove <name>
                                 savepoint <name> [savepoint] | resume <name> <snapshot> [claim|no-claim]
                                 snapshots <job> | snapshot <job> <path> | discard <job> <path>
                                 plugins | config <job|pid> | set <job|pid> key=value… | unset <job|pid> key…
                               bin/cairn help <command>      one command's usage (asks the running platform)
                               bin/cairn state <verb> <snapshot> [options]   read and write snapshots offline (no platform needed):
                                 info | verify | keys | get | scan | export | convert | rewrite | bootstrap (bin/cairn state help)""");
                yield 0;
            }
            default -> ConsoleClient.run(data, String.join(" ", args), System.out);
        };
        System.exit(exit);
    }

    /**
     * {@code jobs --watch [seconds]}: the jobs table again and again, the screen cleared before each
     * (on a terminal), until Ctrl-C or until the platform stops answering.
     */
    private static int watchJobs(Path data, String seconds) throws Exception {
        long interval;
        try {
            interval = Long.parseLong(seconds);
        } catch (NumberFormatException e) {
            interval = -1;
        }
        if (interval < 1 || interval > 3600) {
            System.out.println("jobs --watch " + seconds + " is not allowed: give the seconds between updates, 1 to 3600 (jobs --watch [seconds])");
            return 1;
        }
        boolean terminal = System.console() != null;
        while (true) {
            java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
            int exit = ConsoleClient.run(data, "jobs", new java.io.PrintStream(table, true, java.nio.charset.StandardCharsets.UTF_8));
            System.out.print((terminal ? "\033[H\033[2J" : "") + java.time.LocalTime.now().withNano(0) + "  (every " + interval
                    + " s, Ctrl-C to stop)\n" + table.toString(java.nio.charset.StandardCharsets.UTF_8));
            System.out.flush();
            if (exit != 0) {
                return exit;
            }
            Thread.sleep(interval * 1000);
        }
    }

    private static int run(Path home, Path data) throws Exception {
        DataLock lock;
        try {
            lock = DataLock.acquire(data);
        } catch (DataLock.AlreadyRunningException e) {
            System.err.println(e.getMessage()); // before any log file is opened: nothing of the running one is touched
            return 1;
        }
        LeftoverWorkingFolders.Deleted leftovers = LeftoverWorkingFolders.deleteUnder(data);
        Path log = data.resolve("cairn.log");
        logTo(log);
        if (leftovers.deleted() > 0) {
            Logger.getLogger(Cairn.class.getName()).info("Deleted " + leftovers.deleted() + " files and folders of jobs' working folders a previous run left in "
                    + data.resolve(LeftoverWorkingFolders.FOLDER));
        }
        if (leftovers.failed() > 0) {
            Logger.getLogger(Cairn.class.getName()).warning("Could not delete " + leftovers.failed() + " files and folders a previous run left in "
                    + data.resolve(LeftoverWorkingFolders.FOLDER) + ", first " + leftovers.firstFailure());
        }
        boolean terminal = System.console() != null;
        Platform platform = Platform.start(home, data, home.resolve("deploy"), home.resolve("etc"),
                terminal ? Map.of("gosh.args", "") : Map.of(), lock);
        Logger.getLogger(Cairn.class.getName()).info("Cairn started (home " + home + ", data " + data + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // the JDK's own shutdown hook may already have closed the log's handler: these lines go to the file directly
            appendToLog(log, "stopping (Ctrl-C, SIGTERM or shutdown): running jobs stop with a savepoint");
            try {
                platform.close();
                appendToLog(log, "stopped");
            } catch (Exception e) {
                appendToLog(log, "did not stop cleanly: " + e);
                System.err.println("Cairn did not stop cleanly: " + e);
            }
        }, "cairn-shutdown"));
        System.out.println("Cairn is running (data in " + data + "); bin/cairn jobs from another terminal, Ctrl-C to stop");
        platform.awaitStop();
        return 0;
    }

    private static void appendToLog(Path log, String message) {
        String line = String.format(Locale.ROOT, "%1$tF %1$tT.%1$tL INFO %2$s: Cairn %3$s%n", new Date(), Cairn.class.getName(), message);
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("Cairn " + message + " (the log is not writable: " + e.getMessage() + ")");
        }
    }

    private static final long LOG_FILE_BYTES = 10L << 20;
    private static final int LOG_FILES_KEPT = 5;

    /**
     * INFO and up to {@code file} (rotated at 10 MiB, five older files kept), one line per record
     * with milliseconds; only warnings on the terminal.
     */
    private static void logTo(Path file) throws IOException {
        // read once, when SimpleFormatter is first used: a user's own format (-D) wins
        System.getProperties().putIfAbsent("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        RotatingLogFile fileHandler = new RotatingLogFile(file, LOG_FILE_BYTES, LOG_FILES_KEPT);
        fileHandler.setFormatter(new SimpleFormatter());
        fileHandler.setLevel(Level.INFO);
        root.addHandler(fileHandler);
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(Level.WARNING);
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }
}
