package dev.cairn.core.internal.storage;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/** The built-in {@code file} storage. Property {@code root}: an absolute directory. */
@org.osgi.service.component.annotations.Component(property = "cairn.storage=" + LocalFileStorageProvider.NAME)
public final class LocalFileStorageProvider implements SnapshotStorageProvider {

    public static final String NAME = "file";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SnapshotStorage open(Map<String, String> config) throws IOException {
        return new LocalFileStorage(root(config));
    }

    @Override
    public void validate(Map<String, String> config) {
        root(config);
    }

    private static Path root(Map<String, String> config) {
        String root = config.get("root");
        Path path;
        try {
            path = root == null ? null : Path.of(root);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null || !path.isAbsolute()) {
            throw new IllegalArgumentException("storage.root=" + root + " is not allowed: use an absolute directory path");
        }
        return path;
    }
}
