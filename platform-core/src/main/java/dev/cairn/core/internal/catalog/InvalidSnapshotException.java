package dev.cairn.core.internal.catalog;

import java.io.IOException;

/** Snapshot metadata that cannot be used: unreadable, from a newer platform, or unsafe. */
public class InvalidSnapshotException extends IOException {
    public InvalidSnapshotException(String message) {
        super(message);
    }

    public InvalidSnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
