package dev.cairn.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the changelog comparison relies on, for each side's plain and changelog store. */
abstract class CheckpointedStoreContract {

    final ExecutorService pool = Executors.newCachedThreadPool();
    private Path dir;

    /** The store; {@code materializationInterval} null for plain RocksDB. */
    abstract CheckpointedStore create(Path dir, Duration materializationInterval) throws Exception;

    @AfterEach
    void cleanUp() throws Exception {
        pool.shutdownNow();
        if (dir != null) {
            Stores.deleteRecursively(dir);
        }
    }

    /** Takes a checkpoint as the benchmark's task thread does: mail runs while the asynchronous part goes on. */
    private static CheckpointedStore.Checkpoint checkpoint(CheckpointedStore store, long id, ExecutorService async) throws Exception {
        var part = store.checkpoint(id);
        Future<CheckpointedStore.Checkpoint> done = async.submit(part);
        while (!done.isDone()) {
            store.runMail();
            Thread.sleep(1);
        }
        store.completed(id);
        return done.get();
    }

    @Test
    void aChangelogCheckpointReferencesItsLogAndRestoresTheLastValues() throws Exception {
        dir = Files.createTempDirectory("checkpointed-store-");
        try (CheckpointedStore store = create(dir.resolve("a"), Duration.ofHours(1))) {
            for (int k = 0; k < 2000; k++) {
                store.update(k, "first-" + k);
            }
            CheckpointedStore.Checkpoint first = checkpoint(store, 1, pool);
            for (int k = 0; k < 2000; k += 2) {
                store.update(k, "second-" + k);
            }
            CheckpointedStore.Checkpoint second = checkpoint(store, 2, pool);

            assertThat(second.logBytes()).as("the second checkpoint's log holds its changes").isPositive();
            assertThat(second.bytesNewSince(first)).as("it adds files").isPositive().isLessThanOrEqualTo(second.bytes());
            try (CheckpointedStore restored = store.restore(dir.resolve("restored"), second)) {
                for (int k = 0; k < 2000; k++) {
                    assertThat(restored.get(k)).isEqualTo((k % 2 == 0 ? "second-" : "first-") + k);
                }
            }
        }
    }

    @Test
    void plainRocksDbCheckpointsHaveNoLog() throws Exception {
        dir = Files.createTempDirectory("checkpointed-store-");
        try (CheckpointedStore store = create(dir.resolve("a"), null)) {
            for (int k = 0; k < 1000; k++) {
                store.update(k, "v-" + k);
            }
            CheckpointedStore.Checkpoint c = checkpoint(store, 1, pool);
            assertThat(c.logBytes()).isZero();
            assertThat(c.materialized()).isTrue();
            try (CheckpointedStore restored = store.restore(dir.resolve("restored"), c)) {
                assertThat(restored.get(999)).isEqualTo("v-999");
            }
        }
    }
}
