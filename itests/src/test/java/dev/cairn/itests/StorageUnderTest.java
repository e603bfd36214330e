package dev.cairn.itests;

import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.storage.azure.AzuriteServer;
import dev.cairn.storage.gcs.GcsTestServer;
import dev.cairn.storage.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The storage a platform test runs on: the built-in {@code file}, or an object store whose real
 * server this starts on loopback (behind a fault-injecting proxy), with the plugin from the
 * distribution's {@code plugins/} folder and its configuration in the platform's {@code etc/}.
 */
final class StorageUnderTest implements AutoCloseable {

    private final String name;
    private final AutoCloseable server;
    private final FaultInjectingProxy proxy;
    private final String jobProperties;
    private final Map<String, Object> pluginSettings;

    private StorageUnderTest(String name, AutoCloseable server, FaultInjectingProxy proxy, String jobProperties,
                             Map<String, Object> pluginSettings) {
        this.name = name;
        this.server = server;
        this.proxy = proxy;
        this.jobProperties = jobProperties;
        this.pluginSettings = pluginSettings;
    }

    static StorageUnderTest start(String name) throws Exception {
        switch (name) {
            case "file":
                return new StorageUnderTest(name, null, null, "job.storage=file", Map.of());
            case "flatdir": {
                // the template vendors copy: built by this build, deployed like any third-party plugin
                Path objects = Files.createTempDirectory("cairn-flatdir-");
                return new StorageUnderTest(name, () -> deleteRecursively(objects), null, "job.storage=flatdir",
                        Map.of("directory", objects.toString()));
            }
            case "s3": {
                S3TestServer s3 = new S3TestServer();
                s3.createBucket("itest");
                FaultInjectingProxy proxy = new FaultInjectingProxy(s3.port(), 300);
                Map<String, Object> settings = new java.util.HashMap<>(s3.pluginSettings());
                settings.put("endpoint", proxy.endpoint());
                settings.put("max-attempts", "8");
                return new StorageUnderTest(name, s3, proxy, "job.storage=s3 storage.bucket=itest storage.prefix=cairn", settings);
            }
            case "azure": {
                AzuriteServer azurite = new AzuriteServer();
                FaultInjectingProxy proxy = new FaultInjectingProxy(azurite.port(), 300);
                Map<String, Object> settings = new java.util.HashMap<>(azurite.pluginSettings(proxy.port()));
                settings.put("max-attempts", "8");
                return new StorageUnderTest(name, azurite, proxy, "job.storage=azure storage.container=itest storage.create-container=true"
                        + " storage.prefix=cairn", settings);
            }
            case "gcs": {
                GcsTestServer gcs = new GcsTestServer();
                gcs.createBucket("itest");
                FaultInjectingProxy proxy = new FaultInjectingProxy(gcs.port(), 300);
                Map<String, Object> settings = new java.util.HashMap<>(gcs.pluginSettings(proxy.port()));
                settings.put("max-attempts", "8");
                return new StorageUnderTest(name, gcs, proxy, "job.storage=gcs storage.bucket=itest storage.prefix=cairn", settings);
            }
            default:
                throw new IllegalArgumentException("No storage server for " + name);
        }
    }

    /** The job properties that put a job on this storage. */
    String jobProperties() {
        return jobProperties;
    }

    /** Whether the server holds parts of unfinished uploads (S3 multipart uploads, GCS resumable sessions); false where the plugin's tests cover it. */
    boolean hasUnfinishedUploads() {
        return server instanceof S3TestServer s3 && s3.openMultipartUploads("itest") > 0
                || server instanceof GcsTestServer gcs && gcs.openSessions() > 0;
    }

    /** The proxy between the plugin and the server; null for {@code file}. */
    FaultInjectingProxy proxy() {
        return proxy;
    }

    S3TestServer s3() {
        return (S3TestServer) server;
    }

    /** Writes the plugin's configuration into the platform's {@code etc/}. */
    StorageUnderTest configure(PlatformFixture platform) throws Exception {
        if (!pluginSettings.isEmpty()) {
            String cfg = pluginSettings.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted()
                    .collect(Collectors.joining("\n", "", "\n"));
            Files.writeString(platform.etc.resolve("cairn.storage." + name + ".cfg"), cfg);
        }
        return this;
    }

    /** Drops the plugin bundle into the platform's {@code deploy/} (FileInstall picks it up, live or at start). */
    StorageUnderTest deploy(PlatformFixture platform) throws Exception {
        if (!name.equals("file")) {
            Path jar = name.equals("flatdir") ? Path.of(System.getProperty("example.plugins", "target/example-plugins"), "example-storage-plugin.jar")
                    : PlatformFixture.HOME.resolve("plugins").resolve("plugin-storage-" + name + ".jar");
            Files.copy(jar, platform.deploy.resolve(jar.getFileName()));
        }
        return this;
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
