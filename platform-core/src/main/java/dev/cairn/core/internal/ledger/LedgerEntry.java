package dev.cairn.core.internal.ledger;

import dev.cairn.core.internal.catalog.SnapshotKind;

/**
 * One completed snapshot as the ledger lists it.
 *
 * @param directory             where its {@code _metadata} is, relative to the storage root
 * @param dropsUnknownState     restoring it drops state the job no longer has (a user's choice for a seeded snapshot)
 * @param damaged               failed its checks on a restore: never recovered from again, kept for inspection until discarded
 */
public record LedgerEntry(long id, String directory, SnapshotKind kind, String format, Ownership ownership,
                          long timestamp, boolean dropsUnknownState, boolean damaged) {

    LedgerEntry asDamaged() {
        return new LedgerEntry(id, directory, kind, format, ownership, timestamp, dropsUnknownState, true);
    }

    LedgerEntry withOwnership(Ownership o, boolean drops) {
        return new LedgerEntry(id, directory, kind, format, o, timestamp, drops, damaged);
    }

    /** Whether recovery may start from it. */
    public boolean recoverable() {
        return !damaged;
    }
}
