package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.launcher.InProcessConsole;
import dev.cairn.launcher.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Supplier;
import org.osgi.framework.Bundle;

/**
 * A real Cairn platform for one test: the distribution's bundles, its own data, deploy/ and etc/
 * folders (copied from the distribution, so tests may change them), and the console.
 */
final class PlatformFixture implements AutoCloseable {

    static final Path HOME = Path.of(System.getProperty("cairn.home", "target/cairn")).toAbsolutePath();
    static final Duration PATIENCE = Duration.ofMinutes(2);

    final Path root;
    final Path data;
    final Path deploy;
    final Path etc;
    private Platform platform;
    private InProcessConsole console;

    private PlatformFixture(Path root) {
        this.root = root;
        this.data = root.resolve("data");
        this.deploy = root.resolve("deploy");
        this.etc = root.resolve("etc");
    }

    /** A fresh platform layout; {@code start()} boots it. */
    static PlatformFixture create() throws IOException {
        PlatformFixture f = new PlatformFixture(Files.createTempDirectory("cairn-itest-"));
        copyFolder(HOME.resolve("deploy"), f.deploy);
        copyFolder(HOME.resolve("etc"), f.etc);
        return f;
    }

    /**
     * The frameworks of this JVM share one RocksDB native library, loaded from the class path. A
     * JVM loads a native library once per class loader, so each framework's lib-rocksdb bundle
     * would load a copy of its own; the copies share some C++ statics, and once a stopped
     * framework's copy is unloaded, a later copy may call into it (a SIGSEGV seen in these
     * tests). A platform process runs one framework: lib-rocksdb's copy is the only one there.
     */
    private static final Map<String, String> SHARED_ROCKSDB = Map.of("org.osgi.framework.system.packages.extra",
            "org.rocksdb;version=\"8.10.0\",org.rocksdb.util;version=\"8.10.0\"");

    PlatformFixture start() throws Exception {
        platform = Platform.start(HOME, data, deploy, etc, SHARED_ROCKSDB);
        console = new InProcessConsole(platform.context()).awaitCommand("cairn:jobs", PATIENCE);
        return this;
    }

    /** Stops the framework (jobs stop with a savepoint) but keeps the folders for a restart. */
    void stop() throws Exception {
        if (platform != null) {
            platform.close();
            platform = null;
        }
    }

    Platform platform() {
        return platform;
    }

    Object run(String command) throws Exception {
        return console.execute(command);
    }

    String text(String command) throws Exception {
        return console.text(command);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> job(String name) throws Exception {
        return (Map<String, Object>) console.execute("cairn:job " + name);
    }

    /** The job's details read at once (values read one by one may come from two runs), or null if it cannot be read now. */
    Map<String, Object> jobOrNull(String name) {
        try {
            return job(name);
        } catch (Exception e) {
            return null;
        }
    }

    /** Whether the job's current run is RUNNING with {@code key} = {@code value}, from one reading of the job. */
    boolean runningWith(String name, String key, Object value) {
        Map<String, Object> job = jobOrNull(name);
        return job != null && "RUNNING".equals(job.get("state")) && value.equals(job.get(key));
    }

    Object jobValue(String name, String key) {
        Map<String, Object> job = jobOrNull(name);
        return job == null ? null : job.get(key);
    }

    /** The web server's address, once it has written its port to {@code data/web.port}. */
    String webBase() throws Exception {
        await(() -> Files.exists(data.resolve("web.port")), () -> "data/web.port");
        return "http://127.0.0.1:" + Files.readString(data.resolve("web.port")).trim();
    }

    String consoleToken() throws IOException {
        return Files.readString(data.resolve("console.token")).trim();
    }

    void awaitJobState(String name, String state) throws Exception {
        await(() -> state.equals(jobValue(name, "state")), () -> "job " + name + " to be " + state + ": " + safeJob(name));
    }

    /** Waits until the offer job has emitted at least {@code records} records in its current run. */
    void awaitRecords(String name, long records) throws Exception {
        await(() -> jobValue(name, "records") instanceof Number n && n.longValue() >= records,
                () -> "job " + name + " to emit " + records + " records: " + safeJob(name));
    }

    String safeText(String command) {
        try {
            return text(command);
        } catch (Exception e) {
            return e.toString();
        }
    }

    String safeJob(String name) {
        try {
            return job(name).toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    Bundle bundle(String symbolicName) {
        for (Bundle b : platform.context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    /** Polls {@code condition} until it holds; fails after {@link #PATIENCE} (liveness, not speed). */
    static void await(Supplier<Boolean> condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Gave up waiting for " + what.get());
            }
            Thread.sleep(100);
        }
    }

    /** Creates an offer enrichment job; {@code extra} adds or overrides properties. */
    void createOfferJob(String name, int events, int rate, String extra) throws Exception {
        String out = root.resolve("out-" + name).toString();
        Object result = run("cairn:create " + name + " job.definition=offer-enrichment job.parallelism=2 checkpoint.interval=200ms"
                + " job.restart-delay=100ms job.max-restarts=20 param.output=" + out + " param.seed=" + seed(name)
                + " param.events=" + events + " param.skus=500 param.rate=" + rate + (extra.isEmpty() ? "" : " " + extra));
        assertThat(result).hasToString("created job " + name);
    }

    /**
     * Lifts the rate limit of the waiting offer job {@code name}: once it runs again it reads the
     * rest of its timeline as fast as it can, rather than at the pace that kept it running through
     * the test's steps. (Should the plugin it waits for arrive before the kernel has the change, the
     * job starts at the old pace and moves to the new one through one more stop with a savepoint.)
     */
    void unthrottleWaitingOfferJob(String name) throws Exception {
        assertThat(jobValue(name, "state")).as("state of job %s", name).isEqualTo("WAITING");
        assertThat(run("cairn:set " + name + " param.rate=0")).hasToString("updated " + name);
    }

    /** The committed output of {@code name} compared with the generator's expectation. */
    @SuppressWarnings("unchecked")
    Map<String, Object> verifyOfferJob(String name, int events) throws Exception {
        return (Map<String, Object>) run("offers:verify " + root.resolve("out-" + name) + " " + seed(name) + " " + events + " 500");
    }

    private static long seed(String name) {
        return name.hashCode();
    }

    static void copyFolder(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path p : files.toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            try (var files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertThat(rocksDbLibraryCopies()).as("copies of the RocksDB native library this JVM has loaded").isLessThanOrEqualTo(1);
    }

    /** The distinct RocksDB native library files mapped into this process (Linux). */
    private static long rocksDbLibraryCopies() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.exists(maps)) {
            return 0;
        }
        return Files.readAllLines(maps).stream().filter(l -> l.contains("librocksdbjni"))
                .map(l -> l.substring(l.indexOf('/'))).distinct().count();
    }
}
