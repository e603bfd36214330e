package dev.cairn.spi.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A backend-neutral snapshot format, registered with {@code cairn.format=<name>}. The native
 * formats {@code full} and {@code incremental} are each backend's own and need no plugin.
 */
@ConsumerType
public interface SnapshotFormat {
    String name();

    void write(Iterable<CanonicalEntry> entries, OutputStream out) throws IOException;

    void read(InputStream in, Consumer<CanonicalEntry> entries) throws IOException;
}
