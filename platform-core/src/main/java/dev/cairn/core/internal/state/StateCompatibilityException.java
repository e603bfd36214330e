package dev.cairn.core.internal.state;

/** A restored state cannot be used as the job now declares it. */
public class StateCompatibilityException extends IllegalStateException {
    public StateCompatibilityException(String message) {
        super(message);
    }

    public StateCompatibilityException(String message, Throwable cause) {
        super(message, cause);
    }
}
