package dev.cairn.core.internal.ledger;

/** Who may delete a snapshot the ledger lists (Flink's claim modes, plus the user's own savepoints). */
public enum Ownership {
    /** Taken by the platform (checkpoints, handover savepoints): retained while among the newest, then deleted. */
    PLATFORM,
    /** Restored in CLAIM mode: the platform took it over and deletes it once subsumed. */
    CLAIMED,
    /** Restored in NO_CLAIM mode: never deleted by the platform and never built upon. */
    NOT_CLAIMED,
    /** A savepoint the user asked for: never deleted automatically, only by {@code discard}. */
    USER;

    /** Whether retention deletes such a snapshot once newer ones subsume it. */
    public boolean platformDeletes() {
        return this == PLATFORM || this == CLAIMED;
    }
}
