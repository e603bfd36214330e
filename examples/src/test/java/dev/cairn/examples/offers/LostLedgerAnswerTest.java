package dev.cairn.examples.offers;

import static dev.cairn.examples.offers.JobRunner.config;
import static dev.cairn.examples.offers.JobRunner.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobStatus;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.job.JobMaster;
import dev.cairn.core.internal.job.PluginRegistry;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.core.internal.ledger.LedgerEntry;
import dev.cairn.core.internal.ledger.SnapshotLedger;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger write whose answer is lost (an object store stored it, the connection broke before it
 * said so) and a crash before the next update: the recovery reads a ledger naming the snapshot.
 */
class LostLedgerAnswerTest {

    static final long SEED = 11;
    static final int EVENTS = 24_000;
    static final int SKUS = 400;

    @TempDir
    Path dir;

    @Test
    void aSnapshotWhoseLedgerWriteMayHaveLandedKeepsItsFilesForTheRecoveryThatReadsIt() throws Exception {
        Path storage = dir.resolve("snapshots");
        Path output = dir.resolve("out");
        AtomicInteger ledgerWrites = new AtomicInteger();
        AtomicBoolean dying = new AtomicBoolean();
        ClassLoader cl = getClass().getClassLoader();
        // the third ledger version is stored but answered with an error; from then on the process is as good as
        // dead: no ledger write gets through, as if it had been killed before the next one
        PluginRegistry losing = losingAnswers(new ServiceLoaderPluginRegistry(cl), (method, path) -> {
            if (!method.equals("commitMetadata") || !path.contains("/ledger/")) {
                return false;
            }
            if (dying.get()) {
                throw new IOException("the platform is being killed");
            }
            return ledgerWrites.incrementAndGet() == 3 && dying.compareAndSet(false, true);
        });
        JobConfig base = config(storage, 2, false, 2).withRestarts(0, Duration.ofMillis(10));
        // every part of the state in files of its own, however small: they are what must survive
        JobConfig cfg = base.withCheckpoints(base.checkpoints().withInlineThreshold(0));
        JobMaster job = new JobMaster(OfferEnrichmentJob.build("lost", SEED, EVENTS, SKUS, output, 4_000), cfg, losing, cl,
                FailureInjector.NONE, System::currentTimeMillis).start();
        waitUntil(dying::get, "a ledger write whose answer was lost");
        job.cancel();
        assertThat(job.await(Duration.ofMinutes(1))).isIn(JobStatus.CANCELLED, JobStatus.FAILED);

        SnapshotCatalog catalog = new SnapshotCatalog(new LocalFileStorage(storage), "lost");
        LedgerEntry point = SnapshotLedger.open(catalog).recoveryPoint().orElseThrow();
        CompletedSnapshot snapshot = catalog.load(point.directory());
        assertThat(snapshot.storagePaths()).as("files of %s, which the stored ledger recovers from", point.directory())
                .isNotEmpty().allMatch(p -> storage.resolve(p).toFile().exists());

        JobMaster recovered = JobRunner.start(OfferEnrichmentJob.build("lost", SEED, EVENTS, SKUS, output, 0), cfg);
        assertThat(recovered.await(Duration.ofMinutes(2))).as("failure: %s", JobRunner.messages(recovered.failureCause()))
                .isEqualTo(JobStatus.FINISHED);
        List<String> expected = Timeline.of(SEED, EVENTS, SKUS).expectedOutput();
        assertThat(TransactionalFileSink.readCommitted(output)).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Decides, before a storage call, whether it fails (throws), is stored and then answered with an error (true), or succeeds. */
    interface Answers {
        boolean loseAnswer(String method, String path) throws IOException;
    }

    private static PluginRegistry losingAnswers(PluginRegistry plugins, Answers answers) {
        return new PluginRegistry() {
            public Optional<StateBackend> backend(String name) {
                return plugins.backend(name);
            }

            public Optional<SnapshotStorageProvider> storage(String name) {
                return plugins.storage(name).map(provider -> new SnapshotStorageProvider() {
                    public String name() {
                        return provider.name();
                    }

                    public SnapshotStorage open(Map<String, String> config) throws IOException {
                        return losing(provider.open(config), answers);
                    }
                });
            }

            public Set<String> backendNames() {
                return plugins.backendNames();
            }

            public Set<String> storageNames() {
                return plugins.storageNames();
            }

            public Optional<SnapshotFormat> format(String name) {
                return plugins.format(name);
            }

            public Set<String> formatNames() {
                return plugins.formatNames();
            }
        };
    }

    private static SnapshotStorage losing(SnapshotStorage storage, Answers answers) {
        return (SnapshotStorage) Proxy.newProxyInstance(LostLedgerAnswerTest.class.getClassLoader(), new Class<?>[] {SnapshotStorage.class},
                (proxy, method, args) -> {
                    boolean lose = args != null && args.length > 0 && args[0] instanceof String path && answers.loseAnswer(method.getName(), path);
                    try {
                        Object result = method.invoke(storage, args);
                        if (lose) {
                            throw new IOException("connection reset after the upload of " + args[0]);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
