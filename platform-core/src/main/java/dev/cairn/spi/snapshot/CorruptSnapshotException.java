package dev.cairn.spi.snapshot;

import java.io.IOException;

/** A snapshot file whose bytes do not match the checksum recorded in the metadata. */
public class CorruptSnapshotException extends IOException {
    private final String path;

    public CorruptSnapshotException(String path, long expectedCrc32c, long actualCrc32c, String what) {
        super(String.format("Snapshot file %s is damaged: %s has CRC32C %08x, metadata records %08x",
                path, what, actualCrc32c, expectedCrc32c));
        this.path = path;
    }

    public CorruptSnapshotException(String path, String message, Throwable cause) {
        super("Snapshot file " + path + " is damaged: " + message, cause);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
