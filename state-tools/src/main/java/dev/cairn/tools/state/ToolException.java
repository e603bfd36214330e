package dev.cairn.tools.state;

/** Bad input to a state tool: printed as one line, never as a stack trace, with its exit code. */
final class ToolException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The input is not what the verb needs: not a snapshot, an unknown option, an unknown state. */
    static final int BAD_INPUT = 2;

    private final int exitCode;

    ToolException(String message) {
        this(message, BAD_INPUT);
    }

    ToolException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
