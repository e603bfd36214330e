package dev.cairn.core.internal.console;

/**
 * The arguments of {@code savepoint} and {@code stop}: an optional name and
 * {@code --format <format>} ({@code null}: the job's default).
 */
record SavepointOptions(String name, String format) {

    static SavepointOptions parse(String command, String[] args, String defaultPrefix) {
        String name = null;
        String format = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--format=")) {
                format = a.substring("--format=".length());
            } else if (a.equals("--format")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(command + " --format needs a value: native, full or canonical");
                }
                format = args[++i];
            } else if (!a.startsWith("-") && name == null) {
                name = a;
            } else {
                throw new IllegalArgumentException(command + " argument '" + a + "' is not allowed: use " + command
                        + " <job> [name] [--format native|full|canonical]");
            }
        }
        if (format != null && format.isBlank()) {
            throw new IllegalArgumentException(command + " --format needs a value: native, full or canonical");
        }
        return new SavepointOptions(name != null ? name : defaultPrefix + System.currentTimeMillis(), format);
    }
}
