package dev.cairn.tools.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verb's command line: positional arguments, flags ({@code --json}) and options with a value
 * ({@code --state product}). Anything the verb does not take is refused naming it.
 */
final class ToolArguments {

    /** Every verb that reads a snapshot takes it: where an object store's settings are. */
    static final String STORAGE_CONFIG = "--storage-config";

    private final String verb;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new HashMap<>();

    /**
     * @param flags   the flags the verb takes, with their dashes
     * @param valued  the options with a value the verb takes
     */
    ToolArguments(String verb, List<String> args, Set<String> flags, Set<String> valued) throws ToolException {
        this.verb = verb;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (flags.contains(a)) {
                options.computeIfAbsent(a, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(a) || a.equals(STORAGE_CONFIG)) {
                if (i + 1 == args.size()) {
                    throw new ToolException("state " + verb + ": option " + a + " needs a value (cairn state help)");
                }
                options.computeIfAbsent(a, k -> new ArrayList<>()).add(args.get(++i));
            } else if (a.startsWith("--")) {
                throw new ToolException("state " + verb + ": unknown option " + a + " (cairn state help)");
            } else {
                positional.add(a);
            }
        }
    }
    String verb() {
        return verb;
    }


    /** The positional arguments, which must be exactly {@code names} (for the message when they are not). */
    List<String> positional(String... names) throws ToolException {
        if (positional.size() != names.length) {
            throw new ToolException("state " + verb + " needs " + String.join(", ", names) + " (" + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + "), not " + positional.size() + " (cairn state help)");
        }
        return positional;
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    /** The option's value (the last one given), or {@code null}. */
    String option(String name) {
        List<String> v = options.get(name);
        return v == null ? null : v.get(v.size() - 1);
    }

    /** The value of an option the verb cannot do without. */
    String require(String name) throws ToolException {
        String v = option(name);
        if (v == null) {
            throw new ToolException("state " + verb + " needs " + name + " (cairn state help)");
        }
        return v;
    }

    /** Every value of an option that may be given several times. */
    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** A positive count option ({@code --limit}), or {@code fallback}. */
    long count(String name, long fallback) throws ToolException {
        String v = option(name);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        throw new ToolException("state " + verb + ": " + name + " " + v + " is not a positive whole number");
    }
}
