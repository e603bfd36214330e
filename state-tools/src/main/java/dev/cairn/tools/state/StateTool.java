package dev.cairn.tools.state;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/cairn state <verb> <snapshot> …}: reads snapshots offline, with no platform running.
 * Exit codes: 0 done, 1 the snapshot is damaged ({@code verify}), 2 bad input, 3 the storage could
 * not be read (each a one-line message, never a stack trace).
 */
public final class StateTool {

    static final String USAGE = """
            usage: cairn state <verb> <snapshot directory> [options]
              info   [--json]   job, kind, format, backend, operators, states (kind, serializers, TTL), key groups, files
              verify            every file and key-group section against its recorded size and CRC32C; exit 1 if damaged""";

    private StateTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one verb; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out);
        } catch (ToolException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } catch (IOException | RuntimeException e) {
            // a failure reading the storage, not bad input: still one line, naming what failed
            err.println("state " + (args.length > 0 ? args[0] : "") + " failed: " + OpenedSnapshot.firstLine(e));
            return 3;
        }
    }

    private static int dispatch(String[] args, PrintStream out) throws ToolException, IOException {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? ToolException.BAD_INPUT : 0;
        }
        String verb = args[0];
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
        boolean json = rest.remove("--json");
        for (String option : rest) {
            if (option.startsWith("--")) {
                throw new ToolException("state " + verb + ": unknown option " + option + " (cairn state help)");
            }
        }
        if (rest.size() != 1) {
            throw new ToolException("state " + verb + " needs one snapshot directory, not " + rest.size() + " arguments (cairn state help)");
        }
        switch (verb) {
            case "info" -> {
                SnapshotInfo info = new SnapshotInfo(OpenedSnapshot.open(rest.get(0)));
                out.println(json ? info.json() : info.text());
                return 0;
            }
            case "verify" -> {
                return verify(OpenedSnapshot.open(rest.get(0)), out);
            }
            default -> throw new ToolException("state " + verb + " is not a verb: use info or verify (cairn state help)");
        }
    }

    private static int verify(OpenedSnapshot opened, PrintStream out) throws IOException {
        SnapshotVerifier.Report report = new SnapshotVerifier(opened).verify();
        double seconds = report.nanos() / 1e9;
        String read = String.format(Locale.ROOT, "%d files, %d key-group sections, %.1f MiB read in %.2f s (%.0f MiB/s)",
                report.files(), report.sections(), report.bytes() / 1048576.0, seconds, report.bytes() / 1048576.0 / Math.max(seconds, 1e-9));
        if (report.intact()) {
            out.println("intact: " + opened.location() + ": " + read + ", every size and CRC32C as the metadata records");
            return 0;
        }
        report.problems().forEach(p -> out.println("DAMAGED " + p));
        out.println("damaged: " + opened.location() + ": " + report.problems().size() + " problem(s) in " + read);
        return 1;
    }
}
