package dev.cairn.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flink's RocksDB store keeps and restores the same state as the others. It runs in a Surefire
 * execution of its own whose class path lacks Cairn's RocksDB backend, as its benchmark forks do.
 */
class FlinkRocksDbStoreTest {

    @Test
    void keepsStateAndRestoresItRescaled() throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore a = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("a"), 0, 2);
             StateStore b = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("b"), 1, 2)) {
            for (long k = 0; k < 4000; k++) {
                StateStore owner = a.owns(k) ? a : b;
                owner.setKey(k);
                owner.valueUpdate(Stores.value(k));
                owner.mapPut("m", "x" + k);
                owner.listAdd("1");
            }
            a.setKey(a.owns(7) ? 7 : 8);
            assertThat(a.mapIterate()).isEqualTo(1);
            assertThat(a.listGet()).isEqualTo(1);
            var snapshots = List.of(a.snapshot(1, true).complete(), b.snapshot(1, true).complete());
            try (StateStore merged = a.restore(dir.resolve("merged"), snapshots, 0, 1)) {
                for (long k = 0; k < 4000; k++) {
                    merged.setKey(k);
                    assertThat(merged.valueGet()).isEqualTo(Stores.value(k));
                }
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }

    @ParameterizedTest
    @EnumSource(StateStore.SavepointFormat.class)
    void restoresSavepointsRescaled(StateStore.SavepointFormat format) throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore s = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("a"));
             StateStore owner = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("owner"), 1, 2)) {
            for (long k = 0; k < 3000; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
            }
            StateStore.PendingSnapshot.Done savepoint = s.savepoint(1, format).complete();
            try (StateStore half = s.restore(dir.resolve("half"), List.of(savepoint), 1, 2)) {
                int restored = 0;
                for (long k = 0; k < 3000; k++) {
                    if (owner.owns(k)) {
                        half.setKey(k);
                        assertThat(half.valueGet()).isEqualTo(Stores.value(k));
                        restored++;
                    }
                }
                assertThat(restored).isBetween(1000, 2000);
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }

    @Test
    void restoresASecondIncrementalCheckpointRescaled() throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore s = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("a"));
             StateStore owner = Stores.create(Stores.FLINK_ROCKSDB, dir.resolve("owner"), 0, 2)) {
            for (long k = 0; k < 3000; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
            }
            s.snapshot(1, true).complete();
            s.setKey(5);
            s.valueUpdate("changed");
            StateStore.PendingSnapshot.Done second = s.snapshot(2, true).complete(); // builds on the first's files
            try (StateStore half = s.restore(dir.resolve("half"), List.of(second), 0, 2)) {
                for (long k = 0; k < 3000; k++) {
                    if (owner.owns(k)) {
                        half.setKey(k);
                        assertThat(half.valueGet()).isEqualTo(k == 5 ? "changed" : Stores.value(k));
                    }
                }
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }
}
