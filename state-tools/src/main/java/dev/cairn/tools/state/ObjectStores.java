package dev.cairn.tools.state;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Snapshots on object stores, reached through the same storage plugins as on the platform and
 * configured as there: the plugin's platform settings (endpoint, credentials) from its
 * {@code etc/cairn.storage.<name>.cfg} (or {@code --storage-config}), the bucket and prefix from
 * the location ({@code s3://bucket/prefix/…}, {@code gs://…}, {@code azure://container/…}).
 */
final class ObjectStores {

    /** A location on an object store: the plugin, its bucket (or container) setting, and the object path. */
    record Location(String storage, String bucketKey, String bucket, String path) {
    }

    private ObjectStores() {
    }

    static Location parse(String location) throws ToolException {
        int scheme = location.indexOf("://");
        String name = switch (location.substring(0, scheme)) {
            case "s3" -> "s3";
            case "gs", "gcs" -> "gcs";
            case "azure" -> "azure";
            default -> throw new ToolException(location + ": " + location.substring(0, scheme) + ":// is not a storage the tool knows"
                    + " (s3://, gs://, azure://, or a local path)");
        };
        String rest = location.substring(scheme + 3);
        int slash = rest.indexOf('/');
        if (slash <= 0 || slash == rest.length() - 1) {
            throw new ToolException(location + " is not a snapshot: give " + location.substring(0, scheme) + "://<bucket>/<path of the snapshot>");
        }
        String path = rest.substring(slash + 1);
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new Location(name, name.equals("azure") ? "container" : "bucket", rest.substring(0, slash), path);
    }

    /** The plugin's storage over {@code prefix} of the location's bucket. */
    static SnapshotStorage open(Location location, String prefix, Path configFile) throws ToolException, IOException {
        SnapshotStorageProvider provider = provider(location.storage(), configFile);
        Map<String, String> job = new TreeMap<>();
        job.put(location.bucketKey(), location.bucket());
        if (!prefix.isEmpty()) {
            job.put("prefix", prefix);
        }
        try {
            return provider.open(job);
        } catch (IllegalArgumentException e) {
            throw new ToolException("storage " + location.storage() + ": " + OpenedSnapshot.firstLine(e));
        }
    }

    private static SnapshotStorageProvider provider(String name, Path configFile) throws ToolException, IOException {
        Map<String, Object> platform = platformSettings(name, configFile);
        for (SnapshotStorageProvider p : ServiceLoader.load(SnapshotStorageProvider.class, ObjectStores.class.getClassLoader())) {
            if (p.name().equals(name)) {
                return configured(p, platform);
            }
        }
        throw new ToolException("no " + name + " storage plugin on the tool's class path: bin/cairn state loads plugin-storage-" + name
                + ".jar from deploy/ or plugins/");
    }

    /**
     * The provider with the platform's settings: a configured plugin takes them in the constructor
     * the platform's component runtime calls.
     */
    private static SnapshotStorageProvider configured(SnapshotStorageProvider found, Map<String, Object> platform) throws ToolException {
        if (platform.isEmpty()) {
            return found;
        }
        try {
            Constructor<? extends SnapshotStorageProvider> c = found.getClass().getConstructor(Map.class);
            return c.newInstance(platform);
        } catch (NoSuchMethodException e) {
            throw new ToolException("the " + found.name() + " storage plugin takes no platform settings outside the platform");
        } catch (ReflectiveOperationException e) {
            throw new ToolException("the " + found.name() + " storage plugin refused its settings: " + OpenedSnapshot.firstLine(
                    e.getCause() == null ? e : e.getCause()));
        }
    }

    private static Map<String, Object> platformSettings(String name, Path configFile) throws ToolException, IOException {
        Path file = configFile;
        if (file == null) {
            String home = System.getProperty("cairn.home");
            file = home == null ? null : Path.of(home, "etc", "cairn.storage." + name + ".cfg");
            if (file == null || !Files.isRegularFile(file)) {
                return Map.of();
            }
        } else if (!Files.isRegularFile(file)) {
            throw new ToolException("--storage-config " + configFile + ": no such file");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, Object> out = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k))); // as the platform reads them: a secret is never trimmed
        return out;
    }
}
