package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.io.OutputStream;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A file being written for a snapshot. It checksums as it goes: per section (one key group) and
 * for the whole file. Closing without {@link #closeAndGetRef()} discards the file.
 */
@ProviderType
public abstract class SnapshotOutput extends OutputStream {

    /** Bytes written so far. */
    public abstract long position();

    /** Starts a key-group section at the current position. */
    public abstract void beginSection();

    /** Ends the section begun last and describes it. */
    public abstract KeyGroupSection endSection(int keyGroup);

    /** Makes the file durable and describes it (path relative to the snapshot base). */
    public abstract FileRef closeAndGetRef() throws IOException;
}
