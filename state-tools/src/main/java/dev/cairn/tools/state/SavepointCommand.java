package dev.cairn.tools.state;

import dev.cairn.api.job.JobGraph;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code convert}, {@code rewrite} and {@code bootstrap}: reads their options into {@link SavepointChanges} and reports what was written. */
final class SavepointCommand {

    private SavepointCommand() {
    }

    static int run(OpenedSnapshot opened, Path target, ToolArguments a, ClassLoader loader, PrintStream out) throws ToolException, IOException {
        opened.requireNoRecordsInFlight(a.verb());
        String count = a.option("--max-parallelism");
        int maxParallelism = opened.metadata().maxParallelism();
        if (count != null) {
            maxParallelism = (int) Math.min(a.count("--max-parallelism", maxParallelism), Integer.MAX_VALUE);
        }
        Map<String, String> operatorRenames = new LinkedHashMap<>();
        for (String r : a.all("--rename-operator")) {
            putRename(operatorRenames, "--rename-operator", r, "OLD=NEW");
        }
        Map<String, String> stateRenames = new LinkedHashMap<>();
        for (String r : a.all("--rename-state")) {
            int eq = r.indexOf('=');
            int slash = r.indexOf('/');
            if (slash <= 0 || eq < slash + 2 || eq == r.length() - 1) {
                throw new ToolException("--rename-state " + r + " is not UID/OLD=NEW");
            }
            stateRenames.put(SavepointChanges.stateKey(r.substring(0, slash), r.substring(slash + 1, eq)), r.substring(eq + 1));
        }
        Set<String> droppedStates = new LinkedHashSet<>();
        for (String d : a.all("--drop-state")) {
            int slash = d.indexOf('/');
            if (slash <= 0 || slash == d.length() - 1) {
                throw new ToolException("--drop-state " + d + " is not UID/STATE");
            }
            droppedStates.add(d);
        }
        SavepointChanges changes = new SavepointChanges(maxParallelism, operatorRenames,
                new LinkedHashSet<>(a.all("--drop-operator")), stateRenames, droppedStates);
        if (a.option("--backend") != null && !"native".equals(a.option("--format"))) {
            throw new ToolException("--backend " + a.option("--backend") + " needs --format native (sections are read by every backend)");
        }
        SavepointRewriter.Written w = "native".equals(a.option("--format"))
                ? writeNative(opened, target, a.option("--backend") == null ? opened.metadata().backend() : a.option("--backend"), changes, loader)
                : new SavepointRewriter(opened, loader).write(target, format(a.option("--format"), loader), changes);
        double seconds = w.nanos() / 1e9;
        String read = w.bytesRead() < 0 ? "" : String.format(Locale.ROOT, " %.1f MiB read,", w.bytesRead() / 1048576.0);
        String entries = w.entries() < 0 ? "" : String.format(Locale.ROOT, " %,d keyed entries,", w.entries());
        out.println(String.format(Locale.ROOT, "savepoint written: %s: %d operator(s),%s max parallelism %d;%s %.1f MiB written in %.2f s"
                        + " (%.0f MiB/s written)", w.directory(), w.operators(), entries, maxParallelism, read, w.bytesWritten() / 1048576.0,
                seconds, w.bytesWritten() / 1048576.0 / Math.max(seconds, 1e-9)));
        return 0;
    }

    static int bootstrap(Path input, Path target, ToolArguments a, JobClassLoader job, PrintStream out) throws ToolException, IOException {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String p : a.all("--param")) {
            putRename(parameters, "--param", p, "KEY=VALUE");
        }
        String definition = a.require("--definition");
        String uid = a.require("--operator");
        int maxParallelism = (int) Math.min(a.count("--max-parallelism", 128), Integer.MAX_VALUE);
        JobGraph graph = JobDefinitions.build(job.jar(), job.loader(), definition, a.option("--name") == null ? definition : a.option("--name"),
                parameters);
        long start = System.nanoTime();
        Map<String, Long> counts = new SavepointBootstrap(graph, job.loader()).write(target, uid, input, maxParallelism,
                format(a.option("--format"), job.loader()));
        StringBuilder states = new StringBuilder();
        counts.forEach((state, n) -> states.append(states.length() == 0 ? "" : ", ").append(state).append(' ').append(String.format(Locale.ROOT, "%,d", n)));
        out.println(String.format(Locale.ROOT, "savepoint written: %s: operator %s of job %s, max parallelism %d, entries per state: %s"
                + " (%.2f s); a job starts from it with restore.path=<this directory relative to the storage root>", target.toAbsolutePath().normalize(), uid, graph.name(),
                maxParallelism, states, (System.nanoTime() - start) / 1e9));
        return 0;
    }

    /**
     * A savepoint in a backend's own files. From sections directly; from anything else (another
     * backend's files, or with changes) through a temporary savepoint of sections.
     */
    private static SavepointRewriter.Written writeNative(OpenedSnapshot opened, Path target, String backend, SavepointChanges changes,
                                                         ClassLoader loader) throws ToolException, IOException {
        if (NativeSavepointWriter.sectionsOnly(opened) && changes.equals(SavepointChanges.none().withMaxParallelism(opened.metadata().maxParallelism()))) {
            return new NativeSavepointWriter(opened, loader).write(target, backend);
        }
        long start = System.nanoTime();
        NewSavepoint.at(target, opened); // refuses a target that exists or lies in a job's directory before any work
        try (ScratchDirectory scratch = new ScratchDirectory("cairn-sections-")) {
            SavepointRewriter.Written sections = new SavepointRewriter(opened, loader).write(scratch.path().resolve("sections"),
                    format(null, loader), changes);
            SavepointRewriter.Written done = new NativeSavepointWriter(OpenedSnapshot.open(sections.directory().toString()), loader)
                    .write(target, backend);
            return new SavepointRewriter.Written(done.directory(), done.bytesWritten(), sections.bytesRead(), System.nanoTime() - start,
                    done.operators(), sections.entries());
        }
    }

    private static void putRename(Map<String, String> renames, String option, String value, String shape) throws ToolException {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new ToolException(option + " " + value + " is not " + shape);
        }
        renames.put(value.substring(0, eq), value.substring(eq + 1));
    }

    /** The format asked for; canonical by default when its plugin is there (as savepoints are), else full. */
    private static SnapshotFormat format(String name, ClassLoader loader) throws ToolException {
        SnapshotFormats formats = OperatorKeyedState.installedFormats(loader);
        if (name == null) {
            return formats.find("canonical").orElseGet(() -> formats.find(SnapshotFormat.FULL).orElseThrow());
        }
        return formats.find(name).orElseThrow(() -> new ToolException("--format " + name + " is not installed (installed: "
                + formats.installedNames() + ")"));
    }
}
