package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Plugins come, change and go under a running job, through deploy/ as users do it: the job
 * waits for a missing backend, moves to an updated backend bundle through a savepoint, waits
 * again when the backend is removed, and its output stays exactly once throughout.
 */
class HotDeployTest {

    private static final int EVENTS = 60_000;

    @ParameterizedTest(name = "{0} backend")
    @CsvSource({"heap, plugin-backend-heap.jar, dev.cairn.backend.heap", "rocksdb, plugin-backend-rocksdb.jar, dev.cairn.backend.rocksdb",
            "offheap, plugin-backend-offheap.jar, dev.cairn.backend.offheap"})
    void jobFollowsTheBackendBundleThroughArrivalUpdateRemovalAndReinstall(String backend, String jar, String bundle) throws Exception {
        try (PlatformFixture p = PlatformFixture.create()) {
            Path original = p.root.resolve(jar);
            if (Files.exists(p.deploy.resolve(jar))) {
                Files.move(p.deploy.resolve(jar), original);
            } else {
                Files.copy(PlatformFixture.HOME.resolve("plugins").resolve(jar), original); // an optional plugin, shipped in plugins/
            }
            p.start();

            // no backend yet: the job waits and says why
            p.createOfferJob("offers", EVENTS, 1_000, "job.backend=" + backend);
            p.awaitJobState("offers", "WAITING");
            assertThat((String) p.jobValue("offers", "reason")).contains("state backend '" + backend + "'");

            // the backend arrives in deploy/: the job starts on it
            drop(original, p.deploy.resolve(jar));
            p.awaitJobState("offers", "RUNNING");
            p.awaitRecords("offers", 8_000);
            Bundle old = p.bundle(bundle);
            WeakReference<ClassLoader> oldLoader = new WeakReference<>(old.adapt(BundleWiring.class).getClassLoader());

            // a new version replaces it: stop with savepoint, resume on the new revision
            Path v2 = withVersion(original, p.root.resolve("v2-" + jar), "0.1.1.itest");
            drop(v2, p.deploy.resolve(jar));
            PlatformFixture.await(() -> "RUNNING".equals(p.jobValue("offers", "state"))
                            && String.valueOf(p.jobValue("offers", "plugins")).contains(bundle + " 0.1.1.itest"),
                    () -> "the job to run on " + backend + " 0.1.1: " + p.safeJob("offers"));
            assertThat(p.text("cairn:plugins")).containsPattern("backend\\s+" + backend + "\\s+" + bundle + "\\s+0.1.1.itest\\s+offers");
            old = null;
            assertCollected(oldLoader);

            // removed: the job stops with a savepoint and waits
            p.awaitRecords("offers", 4_000);
            Files.delete(p.deploy.resolve(jar));
            p.awaitJobState("offers", "WAITING");
            assertThat((String) p.jobValue("offers", "reason")).contains("state backend '" + backend + "'");
            assertThat(p.text("cairn:plugins")).doesNotContain(bundle);

            // reinstalled: the job runs again, from where it stopped, to the end
            p.unthrottleWaitingOfferJob("offers");
            drop(original, p.deploy.resolve(jar));
            p.awaitJobState("offers", "FINISHED");
            Map<String, Object> check = p.verifyOfferJob("offers", EVENTS);
            assertThat(check).containsEntry("exactly-once", true);
        }
    }

    @Test
    void aJobWithTheChangelogFollowsItsBundleThroughUpdateRemovalAndReinstall() throws Exception {
        String jar = "plugin-backend-changelog.jar";
        String bundle = "dev.cairn.backend.changelog";
        try (PlatformFixture p = PlatformFixture.create().start()) {
            Path original = p.root.resolve(jar);
            Files.copy(p.deploy.resolve(jar), original);
            p.run("cairn:set cairn.backend.changelog materialization-interval=300ms upload-delay=50ms");
            p.createOfferJob("offers", EVENTS, 1_000, "checkpoint.incremental=true job.changelog=true");
            p.awaitJobState("offers", "RUNNING");
            p.awaitRecords("offers", 8_000);
            assertThat(String.valueOf(p.jobValue("offers", "plugins"))).contains(bundle);

            // a new version replaces it: the job stops with a checkpoint and resumes on the new revision from its log
            drop(withVersion(original, p.root.resolve("v2-" + jar), "0.1.1.itest"), p.deploy.resolve(jar));
            PlatformFixture.await(() -> "RUNNING".equals(p.jobValue("offers", "state"))
                            && String.valueOf(p.jobValue("offers", "plugins")).contains(bundle + " 0.1.1.itest"),
                    () -> "the job to run on the changelog 0.1.1: " + p.safeJob("offers"));
            long records = ((Number) p.jobValue("offers", "records")).longValue();
            p.awaitRecords("offers", records + 4_000);

            // removed: the job stops and waits for it
            Files.delete(p.deploy.resolve(jar));
            p.awaitJobState("offers", "WAITING");
            assertThat((String) p.jobValue("offers", "reason")).contains("the changelog plugin");

            // reinstalled: the job runs again from where it stopped, to the end
            p.unthrottleWaitingOfferJob("offers");
            drop(original, p.deploy.resolve(jar));
            p.awaitJobState("offers", "FINISHED");
            assertThat(p.job("offers")).containsEntry("changelog", true);
            assertThat(p.verifyOfferJob("offers", EVENTS)).containsEntry("exactly-once", true);
        }
    }

    /** The kernel keeps nothing of an updated bundle's old revision: its class loader can be collected. */
    private static void assertCollected(WeakReference<ClassLoader> loader) throws InterruptedException {
        for (int i = 0; i < 100 && loader.get() != null; i++) {
            System.gc();
            Thread.sleep(100);
        }
        assertThat(loader.get()).as("class loader of the replaced backend revision").isNull();
    }

    /** Puts a jar into deploy/ in one step, so FileInstall never sees half a file. */
    static void drop(Path jar, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A copy of {@code jar} whose manifest says {@code Bundle-Version: version}. */
    static Path withVersion(Path jar, Path target, String version) throws IOException {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return target;
    }
}
