package dev.cairn.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.apache.felix.main.AutoProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * A Cairn platform in this JVM: the Felix framework with {@code conf/config.properties}, the
 * bundles of {@code bundle/} started, and FileInstall watching {@code deploy/} and {@code etc/}.
 */
public final class Platform implements AutoCloseable {

    private final Framework framework;
    private final Path data;
    private final DataLock lock;

    private Platform(Framework framework, Path data, DataLock lock) {
        this.framework = framework;
        this.data = data;
        this.lock = lock;
    }

    /**
     * @param home   the distribution ({@code bundle/}, {@code conf/})
     * @param data   where the framework cache, configurations, snapshots and console token go
     * @param deploy the watched plugin folder; {@code etc} the watched configuration folder
     * @param extra  framework properties that override {@code conf/config.properties}
     */
    public static Platform start(Path home, Path data, Path deploy, Path etc, Map<String, String> extra) throws IOException, BundleException {
        return start(home, data, deploy, etc, extra, DataLock.acquire(data));
    }

    /** As {@link #start(Path, Path, Path, Path, Map)} with the data folder's lock already held; it is released on close. */
    static Platform start(Path home, Path data, Path deploy, Path etc, Map<String, String> extra, DataLock lock)
            throws IOException, BundleException {
        try {
            return boot(home, data, deploy, etc, extra, lock);
        } catch (IOException | BundleException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * ConfigAdmin keeps every configuration, storage secrets included, in files under
     * {@code dir}; only the platform's user may enter it, whatever the files' own modes.
     */
    private static void ownerOnly(String dir) throws IOException {
        if (dir == null) {
            return;
        }
        Path path = Files.createDirectories(Path.of(dir));
        if (Files.getFileStore(path).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static Platform boot(Path home, Path data, Path deploy, Path etc, Map<String, String> extra, DataLock lock)
            throws IOException, BundleException {
        Properties vars = new Properties();
        vars.setProperty("cairn.home", home.toAbsolutePath().toString());
        vars.setProperty("cairn.data", data.toAbsolutePath().toString());
        vars.setProperty("cairn.deploy", deploy.toAbsolutePath().toString());
        vars.setProperty("cairn.etc", etc.toAbsolutePath().toString());
        Properties raw = new Properties();
        try (Reader r = Files.newBufferedReader(home.resolve("conf/config.properties"))) {
            raw.load(r);
        }
        Map<String, String> config = new HashMap<>();
        vars.forEach((k, v) -> config.put((String) k, (String) v));
        for (String key : raw.stringPropertyNames()) {
            config.put(key, substitute(raw.getProperty(key), vars));
        }
        config.putAll(extra);
        config.putIfAbsent("gosh.args", "--nointeractive");
        requireLoopbackWeb(config);
        ownerOnly(config.get("felix.cm.dir"));
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("No OSGi framework on the class path"))
                .newFramework(config);
        framework.init();
        AutoProcessor.process(config, framework.getBundleContext());
        framework.start();
        return new Platform(framework, data, lock);
    }

    static final String WEB_HOST = "org.apache.felix.http.host";
    static final String WEB_ALLOW_REMOTE = "cairn.web.allow-remote";

    /**
     * The web pages take the console token over plain HTTP: they listen on loopback unless the
     * operator says, with {@value #WEB_ALLOW_REMOTE}, that they know (a TLS proxy in front, say).
     */
    static void requireLoopbackWeb(Map<String, String> config) {
        String host = config.get(WEB_HOST);
        boolean loopback;
        try {
            loopback = host != null && !host.isBlank() && java.net.InetAddress.getByName(host.trim()).isLoopbackAddress();
        } catch (IOException e) {
            loopback = false;
        }
        if (!loopback && !Boolean.parseBoolean(config.get(WEB_ALLOW_REMOTE))) {
            throw new IllegalArgumentException(WEB_HOST + "=" + host + " is not allowed: the web pages would take the console token over plain"
                    + " HTTP from other machines; use 127.0.0.1, or also set " + WEB_ALLOW_REMOTE + "=true in conf/config.properties");
        }
    }

    /** Replaces {@code ${cairn.home}} and the like; unknown names stay as they are. */
    static String substitute(String value, Properties vars) {
        String result = value;
        for (String name : vars.stringPropertyNames()) {
            result = result.replace("${" + name + "}", vars.getProperty(name));
        }
        return result;
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public Framework framework() {
        return framework;
    }

    public Path data() {
        return data;
    }

    /** Waits until the framework stops (by {@link #close} or from inside). */
    public void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    /** Stops the framework: jobs stop with a savepoint they resume from at the next start. */
    @Override
    public void close() throws BundleException, InterruptedException {
        framework.stop();
        FrameworkEvent e = framework.waitForStop(TimeUnit.MINUTES.toMillis(2));
        if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
            throw new IllegalStateException("The framework did not stop within 2 minutes");
        }
        lock.close();
    }
}
