package dev.cairn.core.internal.console;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the remote console ({@code bin/cairn <command>}) runs: Cairn's commands only, as plain
 * words. The Gogo shell behind it would run any command of any bundle ({@code felix:install},
 * {@code gogo:cat}) and interpret pipes, closures and variables, which amounts to running any
 * code; that stays on the platform's own terminal. A deployed bundle may offer a command of its
 * own to the remote console by registering it with {@value #PUBLISHED} (the example's
 * {@code offers:verify}). Also answers {@code help}, and suggests the command an unknown word was
 * probably meant to be.
 */
final class RemoteCommand {

    /** One Cairn command as a user types it. */
    record Usage(String name, String arguments, String summary) {
        String line() {
            return (name + " " + arguments).strip();
        }
    }

    static final List<Usage> COMMANDS = List.of(
            new Usage("jobs", "[--json]", "the jobs with their state, definition, backend, storage, parallelism and counters"),
            new Usage("job", "<name>", "one job: state, checkpoints, restarts, records"),
            new Usage("create", "<name> key=value…", "creates a job after validating its configuration"),
            new Usage("start", "<name>", "starts a stopped job from its newest snapshot"),
            new Usage("stop", "<name> [savepoint] [--format native|full|canonical]", "stops a job with a savepoint"),
            new Usage("cancel", "<name>", "stops a job without a savepoint (it resumes from its newest checkpoint)"),
            new Usage("resume", "<name> <snapshot> [claim|no-claim] [force]", "starts a stopped job from a snapshot"),
            new Usage("savepoint", "<name> [savepoint] [--format native|full|canonical]", "takes a savepoint of a running job"),
            new Usage("fail", "<name>", "fails one subtask at its next record, to rehearse recovery"),
            new Usage("remove", "<name>", "stops a job with a savepoint and deletes its configuration"),
            new Usage("ranges", "<job>", "which process runs which range of a job shared by partition (job.placement)"),
            new Usage("snapshots", "<job> [--json]", "a job's checkpoints and savepoints"),
            new Usage("snapshot", "<job> <path> [--json]", "one snapshot: kind, format, size, operators and states (--json: its metadata)"),
            new Usage("discard", "<job> <path>", "deletes a savepoint"),
            new Usage("move", "<job> <path> <target>", "moves a savepoint"),
            new Usage("plugins", "[--json]", "backends, storages, formats and job definitions, with the jobs using them"),
            new Usage("config", "<job|pid>", "a job's or component's configuration with its allowed values"),
            new Usage("set", "<job|pid> key=value…", "changes configuration after validating it"),
            new Usage("unset", "<job|pid> key…", "removes properties so that their defaults apply"),
            new Usage("help", "[command]", "this list, or one command's usage"));

    /** How a line is answered: a Gogo command line to run, or a text with an exit code. */
    sealed interface Interpretation permits Run, Answer {
    }

    record Run(String gogoLine, Usage usage) implements Interpretation {
    }

    record Answer(String text, int exit) implements Interpretation {
    }

    /** The service property a command of another scope carries to be run from the remote console. */
    static final String PUBLISHED = "cairn.console";

    /** Whether a bundle published command {@code scope:function} to the remote console. */
    @FunctionalInterface
    interface Published {
        boolean has(String scope, String function);
    }

    /** Characters Gogo interprets (pipes, closures, variables, sequences) outside single quotes. */
    private static final String INTERPRETED = ";|&$(){}[]<>`";

    private RemoteCommand() {
    }

    static Interpretation interpret(String line) {
        return interpret(line, (scope, function) -> false);
    }

    static Interpretation interpret(String line, Published published) {
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
            return new Answer(help(), 0);
        }
        String[] words = trimmed.split("\\s+", 2);
        String word = words[0];
        String rest = words.length > 1 ? words[1] : "";
        String name = word.startsWith("cairn:") ? word.substring("cairn:".length()) : word;
        if (name.contains(":")) {
            String[] scoped = name.split(":", 2);
            if (published.has(scoped[0], scoped[1])) {
                Usage own = new Usage(name, "…", "a command of a deployed bundle");
                char interpreted = firstInterpreted(rest);
                return interpreted != 0 ? refusedSyntax(interpreted, own) : new Run(word + (rest.isEmpty() ? "" : " " + rest), own);
            }
            return new Answer("refused: '" + word + "' is not a Cairn command; the remote console runs Cairn's commands only"
                    + " (the full shell is on the platform's terminal). 'help' lists them.", 1);
        }
        Optional<Usage> usage = find(name);
        if (usage.isEmpty()) {
            String suggestion = suggest(name);
            return new Answer("unknown command '" + name + "'." + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
                    + " 'help' lists the commands.", 1);
        }
        char interpreted = firstInterpreted(rest);
        if (interpreted != 0) {
            return refusedSyntax(interpreted, usage.get());
        }
        if (name.equals("help")) {
            return rest.isBlank() ? new Answer(help(), 0) : helpFor(rest.strip());
        }
        return new Run("cairn:" + name + (rest.isEmpty() ? "" : " " + rest), usage.get());
    }

    private static Answer refusedSyntax(char interpreted, Usage usage) {
        return new Answer("refused: '" + interpreted + "' is not allowed in a remote command outside single quotes"
                + " (no pipes, variables or command sequences). usage: " + usage.line(), 1);
    }

    static Optional<Usage> find(String name) {
        return COMMANDS.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    private static Answer helpFor(String name) {
        return find(name).map(u -> new Answer("usage: " + u.line() + "\n  " + u.summary(), 0)).orElseGet(() -> {
            String suggestion = suggest(name);
            return new Answer("unknown command '" + name + "'." + (suggestion == null ? "" : " Did you mean '" + suggestion + "'?")
                    + " 'help' lists the commands.", 1);
        });
    }

    static String help() {
        int width = COMMANDS.stream().mapToInt(u -> u.line().length()).max().orElse(0);
        return COMMANDS.stream().map(u -> String.format(Locale.ROOT, "  %-" + width + "s  %s", u.line(), u.summary()))
                .collect(Collectors.joining("\n", "Cairn's commands (bin/cairn <command> …):\n", ""));
    }

    /** The command {@code name} is closest to, if it is close (a typo, a swap, a missing letter). */
    static String suggest(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return COMMANDS.stream().map(Usage::name)
                .filter(c -> distance(lower, c) <= Math.max(1, c.length() / 3) || (lower.length() >= 3 && c.startsWith(lower)))
                .min(Comparator.comparingInt(c -> distance(lower, c))).orElse(null);
    }

    /** Edit distance with adjacent swaps (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The first character Gogo would interpret, outside single quotes; 0 if none. */
    private static char firstInterpreted(String text) {
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && INTERPRETED.indexOf(c) >= 0) {
                return c;
            }
        }
        return 0;
    }
}
