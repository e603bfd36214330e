package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.snapshot.SnapshotFormat;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The snapshot formats a job can write and read right now: the kernel's own {@code full}, and the
 * format plugins present. Looked up at each use, not pinned: a format is needed only while a
 * snapshot is written or restored, and a job keeps no plugin's classes alive between.
 */
public final class SnapshotFormats {

    /** What a savepoint request names for the backend's own, self-contained snapshot. */
    public static final String NATIVE = "native";

    private final Function<String, Optional<SnapshotFormat>> plugins;
    private final Supplier<Collection<String>> installed;

    public SnapshotFormats(Function<String, Optional<SnapshotFormat>> plugins, Supplier<Collection<String>> installed) {
        this.plugins = plugins;
        this.installed = installed;
    }

    public Optional<SnapshotFormat> find(String name) {
        return SnapshotFormat.FULL.equals(name) ? Optional.of(FullFormat.INSTANCE) : plugins.apply(name);
    }

    /** The format, or an exception naming the formats that are installed. */
    public SnapshotFormat require(String name) throws MissingFormatException {
        return find(name).orElseThrow(() -> new MissingFormatException("snapshot format '" + name + "' is not installed (installed: "
                + installedNames() + "); deploy its plugin bundle"));
    }

    public String installedNames() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(installed.get());
        names.add(SnapshotFormat.FULL);
        return String.join(", ", names);
    }

    /** A snapshot needs a format plugin that is not installed: the job waits for it. */
    public static final class MissingFormatException extends java.io.IOException {
        public MissingFormatException(String message) {
            super(message);
        }
    }
}
