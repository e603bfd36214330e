package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.PluginRegistry;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The view a full snapshot's synchronous part captures pins what the backend keeps for it (a
 * copy-on-write version, a database snapshot, maps being read). When the asynchronous part fails
 * before it writes anything, the view is closed all the same: a job whose checkpoints fail that
 * way ends with no view open.
 */
class CapturedViewsTest {

    @TempDir
    Path dir;

    @Test
    void aViewWhoseAsynchronousPartNeverWroteIsClosed() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger captured = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        FailureInjector injector = (point, uid, subtask, id) -> {
            if (point == FailureInjector.Point.ASYNC_SNAPSHOT && id % 2 == 0 && "enrich".equals(uid)) {
                failed.incrementAndGet();
                throw new IllegalStateException("injected: the asynchronous part of checkpoint " + id + " fails before it writes");
            }
        };
        ClassLoader cl = CapturedViewsTest.class.getClassLoader();
        PluginRegistry registry = new CountingViews(new ServiceLoaderPluginRegistry(cl), open, captured);
        JobMaster job = new JobMaster(OfferEnrichmentJob.build("views", 7, 12_000, 300, dir.resolve("out"), 4_000),
                config(dir.resolve("snapshots"), 2, false, 1)
                        .withCheckpoints(CheckpointConfig.defaults().withInterval(Duration.ofMillis(30)).withTolerableFailures(1_000)),
                registry, cl, injector, System::currentTimeMillis).start();
        assertThat(job.await(Duration.ofMinutes(2))).as("status; failure: %s", JobRunner.messages(job.failureCause())).isEqualTo(JobStatus.FINISHED);
        assertThat(failed.get()).as("checkpoints whose asynchronous part failed").isPositive();
        assertThat(captured.get()).isGreaterThan(failed.get());
        assertThat(open.get()).as("views still open after the job ended").isZero();
    }

    /** The plugins as found, the heap backend's views counted open and closed. */
    private record CountingViews(PluginRegistry plugins, AtomicInteger open, AtomicInteger captured) implements PluginRegistry {
        @Override
        public Optional<StateBackend> backend(String name) {
            return plugins.backend(name).map(b -> name.equals(HeapStateBackend.NAME) ? counting(b) : b);
        }

        private StateBackend counting(StateBackend heap) {
            return new StateBackend() {
                @Override
                public String name() {
                    return heap.name();
                }

                @Override
                public boolean supportsIncremental() {
                    return heap.supportsIncremental();
                }

                @Override
                public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> parameters) throws Exception {
                    return countingKeyed(heap.createKeyedBackend(parameters));
                }
            };
        }

        @SuppressWarnings("unchecked")
        private <K> KeyedStateBackend<K> countingKeyed(KeyedStateBackend<K> keyed) {
            return (KeyedStateBackend<K>) Proxy.newProxyInstance(KeyedStateBackend.class.getClassLoader(), new Class<?>[] {KeyedStateBackend.class},
                    (proxy, method, args) -> {
                        Object result = invoke(keyed, method, args);
                        return method.getName().equals("captureEntries") ? countingView((KeyGroupEntries) result) : result;
                    });
        }

        private KeyGroupEntries countingView(KeyGroupEntries view) {
            open.incrementAndGet();
            captured.incrementAndGet();
            AtomicBoolean closed = new AtomicBoolean();
            return (KeyGroupEntries) Proxy.newProxyInstance(KeyGroupEntries.class.getClassLoader(), new Class<?>[] {KeyGroupEntries.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close") && closed.compareAndSet(false, true)) {
                            open.decrementAndGet();
                        }
                        return invoke(view, method, args);
                    });
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Optional<SnapshotStorageProvider> storage(String name) {
            return plugins.storage(name);
        }

        @Override
        public Set<String> backendNames() {
            return plugins.backendNames();
        }

        @Override
        public Set<String> storageNames() {
            return plugins.storageNames();
        }

        @Override
        public Optional<SnapshotFormat> format(String name) {
            return plugins.format(name);
        }

        @Override
        public Set<String> formatNames() {
            return plugins.formatNames();
        }
    }
}
