package dev.cairn.tools.state;

import java.io.IOException;
import java.io.PrintStream;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code bin/cairn state <verb> <snapshot> …}: reads snapshots offline, with no platform running.
 * Exit codes: 0 done, 1 the snapshot is damaged ({@code verify}), 2 bad input, 3 the snapshot could
 * not be read (storage, memory, a value its serializer cannot decode), each a one-line message,
 * never a stack trace.
 */
public final class StateTool {

    static final String USAGE = """
            usage: cairn state <verb> <snapshot> [arguments] [options]
              info   <snapshot> [--json]                     job, kind, format, backend, operators, states (kind, serializers, TTL), key groups, files
              verify <snapshot>                              every file and key-group section against its recorded size and CRC32C; exit 1 if damaged
              keys   <snapshot> <operator> [--limit N]       the operator's keys, each once, as get takes them
              get    <snapshot> <operator> <key> [--state S] [--json]
                                                             what each state holds for the key (reads only the key's key group)
              scan   <snapshot> <operator> [--state S] [--key K] [--limit N]
                                                             entries as JSON Lines: state, key, namespace, map-key, value, ttl-timestamp
                                                             (with --key, one key's, read from its key group only)
              export <snapshot> <operator> <directory> [--state S] [--csv]
                                                             one file per state: <state>.jsonl, or <state>.csv for flat types
              convert <snapshot> <new savepoint directory> [--format canonical|full|native] [--backend heap|rocksdb]
                                                             a savepoint of key-group sections (any backend reads it) from any snapshot,
                                                             or in a backend's own files (--format native; the snapshot's backend by default)
              rewrite <snapshot> <new savepoint directory> [--max-parallelism N] [--rename-operator OLD=NEW] [--drop-operator UID]
                      [--rename-state UID/OLD=NEW] [--drop-state UID/STATE] [--format …] [--backend …]
                                                             a new savepoint with those changes (options may repeat); the input stays as it is
              bootstrap <input directory> <new savepoint directory> --job <jar> --definition NAME --operator UID
                      [--name JOB] [--param KEY=VALUE] [--max-parallelism N] [--format canonical|full]
                                                             a savepoint of one keyed operator of a job, its states from <state>.jsonl files
            options: --storage-config <file>  an object store's settings as the platform's etc/cairn.storage.<name>.cfg
                                               holds them (that file by default), for s3://, gs:// and azure:// locations
                     --job <jar>   the job's jar, for states or keys of the job's own types
            a <snapshot> is a job's chk-<n> directory, a savepoint's directory, or its _metadata file""";

    private StateTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one verb; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<OpenedSnapshot> opened = new ArrayList<>();
        try {
            return dispatch(args, out, opened);
        } catch (ToolException e) {
            err.println(e.getMessage());
            return e.exitCode();
        } catch (CorruptSnapshotException e) {
            // a file or section that fails its checksum, or passed it and cannot be read: the snapshot is damaged
            err.println("damaged: " + OpenedSnapshot.firstLine(e));
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("state " + (args.length > 0 ? args[0] : "") + " ran out of memory (" + Runtime.getRuntime().maxMemory() / 1048576
                    + " MiB): give the tool more with CAIRN_JAVA_OPTS=-Xmx<size>");
            return 3;
        } catch (IOException | RuntimeException | Error e) {
            // a failure reading the storage, loading a library or decoding a value, not bad input: still one line, naming what failed
            err.println("state " + (args.length > 0 ? args[0] : "") + " failed: " + OpenedSnapshot.firstLine(e));
            return 3;
        } finally {
            opened.forEach(OpenedSnapshot::close);
        }
    }

    private static int dispatch(String[] args, PrintStream out, List<OpenedSnapshot> opened) throws ToolException, IOException {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.println(USAGE);
            return args.length == 0 ? ToolException.BAD_INPUT : 0;
        }
        String verb = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (verb) {
            case "info" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of("--json"), Set.of());
                SnapshotInfo info = new SnapshotInfo(open(a, a.positional("<snapshot>").get(0), opened));
                out.println(a.flag("--json") ? info.json() : info.text());
                return 0;
            }
            case "verify" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of(), Set.of());
                return verify(open(a, a.positional("<snapshot>").get(0), opened), out);
            }
            case "keys" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of(), Set.of("--limit", "--job"));
                List<String> p = a.positional("<snapshot>", "<operator>");
                try (JobClassLoader job = JobClassLoader.of(a.option("--job"))) {
                    return new StateScan(open(a, p.get(0), opened), job.loader()).keys(p.get(1), a.count("--limit", Long.MAX_VALUE), out);
                }
            }
            case "get" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of("--json"), Set.of("--state", "--job"));
                List<String> p = a.positional("<snapshot>", "<operator>", "<key>");
                try (JobClassLoader job = JobClassLoader.of(a.option("--job"))) {
                    return new KeyLookup(open(a, p.get(0), opened), job.loader()).run(p.get(1), p.get(2), a.option("--state"),
                            a.flag("--json"), out);
                }
            }
            case "scan" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of(), Set.of("--state", "--key", "--limit", "--job"));
                List<String> p = a.positional("<snapshot>", "<operator>");
                try (JobClassLoader job = JobClassLoader.of(a.option("--job"))) {
                    return new StateScan(open(a, p.get(0), opened), job.loader()).scan(p.get(1), a.option("--state"), a.option("--key"),
                            a.count("--limit", Long.MAX_VALUE), out);
                }
            }
            case "export" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of("--csv"), Set.of("--state", "--job"));
                List<String> p = a.positional("<snapshot>", "<operator>", "<directory>");
                OpenedSnapshot snapshot = open(a, p.get(0), opened);
                Path target = Path.of(p.get(2)).toAbsolutePath().normalize();
                if (snapshot.root() != null && target.startsWith(snapshot.root())) {
                    throw new ToolException("state export: " + target + " lies inside the snapshot's storage " + snapshot.root()
                            + "; export elsewhere (the input is never written)");
                }
                try (JobClassLoader job = JobClassLoader.of(a.option("--job"))) {
                    return new StateScan(snapshot, job.loader()).export(p.get(1), target, a.option("--state"), a.flag("--csv"), out);
                }
            }
            case "convert", "rewrite" -> {
                boolean rewrite = verb.equals("rewrite");
                ToolArguments a = new ToolArguments(verb, rest, Set.of(), rewrite
                        ? Set.of("--format", "--backend", "--job", "--max-parallelism", "--rename-operator", "--drop-operator", "--rename-state",
                        "--drop-state")
                        : Set.of("--format", "--backend", "--job"));
                List<String> p = a.positional("<snapshot>", "<new savepoint directory>");
                OpenedSnapshot snapshot = open(a, p.get(0), opened);
                try (JobClassLoader job = JobClassLoader.of(a.option("--job"))) {
                    return SavepointCommand.run(snapshot, Path.of(p.get(1)), a, job.loader(), out);
                }
            }
            case "bootstrap" -> {
                ToolArguments a = new ToolArguments(verb, rest, Set.of(), Set.of("--job", "--definition", "--operator", "--name", "--param",
                        "--max-parallelism", "--format"));
                List<String> p = a.positional("<input directory>", "<new savepoint directory>");
                try (JobClassLoader job = JobClassLoader.of(a.require("--job"))) {
                    return SavepointCommand.bootstrap(Path.of(p.get(0)), Path.of(p.get(1)), a, job, out);
                }
            }
            default -> throw new ToolException("state " + verb + " is not a verb: use info, verify, keys, get, scan, export, convert, rewrite"
                    + " or bootstrap (cairn state help)");
        }
    }

    /** The snapshot a verb names: local, or on an object store with the storage settings given or in the platform's etc/. */
    private static OpenedSnapshot open(ToolArguments a, String location, List<OpenedSnapshot> opened) throws ToolException {
        String config = a.option("--storage-config");
        OpenedSnapshot snapshot = OpenedSnapshot.open(location, config == null ? null : Path.of(config));
        opened.add(snapshot);
        return snapshot;
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
