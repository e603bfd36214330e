package dev.cairn.spi.backend;

/**
 * What a backend stores. Reducing and aggregating state are value state to a backend; the
 * kernel composes them (and TTL) on top.
 */
public enum StateKind {
    VALUE, LIST, MAP;

    /** What a backend stores for the user-level kind recorded in {@link dev.cairn.spi.snapshot.StateMetaInfo#kind()}. */
    public static StateKind forUserKind(String userKind) {
        return switch (userKind) {
            case "LIST" -> LIST;
            case "MAP", "TIMERS" -> MAP;
            default -> VALUE;
        };
    }
}
