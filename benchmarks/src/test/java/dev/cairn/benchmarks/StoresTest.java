package dev.cairn.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmark compares like with like: every store keeps and restores the same state. */
class StoresTest {

    @ParameterizedTest
    @ValueSource(strings = {Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.JDK_HASHMAP, Stores.CAIRN_ROCKSDB, Stores.ROCKSDB_JNI})
    void storesKeepTheSameState(String name) throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore s = Stores.create(name, dir)) {
            for (long k = 0; k < 1000; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
                s.mapPut("a", "x" + k);
                s.mapPut("b", "y" + k);
                s.listAdd("1");
                s.listAdd("2");
            }
            s.setKey(7);
            assertThat(s.valueGet()).isEqualTo("value-7");
            assertThat(s.mapGet("b")).isEqualTo("y7");
            assertThat(s.mapIterate()).isEqualTo(2);
            assertThat(s.listGet()).isEqualTo(2);
            s.setKey(5000);
            assertThat(s.valueGet()).isNull();
            assertThat(s.listGet()).isZero();
        } finally {
            Stores.deleteRecursively(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.CAIRN_ROCKSDB})
    void restoreBringsBackEveryKey(String name) throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore s = Stores.create(name, dir)) {
            for (long k = 0; k < 5000; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
            }
            StateStore.PendingSnapshot.Done done = s.snapshot(1, false).complete();
            s.setKey(3);
            s.valueUpdate("changed after the snapshot");
            try (StateStore restored = s.restore(dir.resolve("restored"), done)) {
                for (long k = 0; k < 5000; k++) {
                    restored.setKey(k);
                    assertThat(restored.valueGet()).isEqualTo(Stores.value(k));
                }
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.CAIRN_ROCKSDB})
    void rescaledRestoresBringBackExactlyTheOwnedKeys(String name) throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore a = Stores.create(name, dir, 0, 2); StateStore b = Stores.create(name, dir, 1, 2)) {
            for (long k = 0; k < 4000; k++) {
                StateStore owner = a.owns(k) ? a : b;
                assertThat(b.owns(k)).isNotEqualTo(a.owns(k));
                owner.setKey(k);
                owner.valueUpdate(Stores.value(k));
            }
            var snapshots = java.util.List.of(a.snapshot(1, false).complete(), b.snapshot(1, false).complete());
            try (StateStore merged = a.restore(dir.resolve("merged"), snapshots, 0, 1);
                 StateStore secondHalf = a.restore(dir.resolve("split"), java.util.List.of(snapshots.get(1)), 1, 2)) {
                for (long k = 0; k < 4000; k++) {
                    merged.setKey(k);
                    assertThat(merged.valueGet()).isEqualTo(Stores.value(k));
                    if (b.owns(k)) {
                        secondHalf.setKey(k);
                        assertThat(secondHalf.valueGet()).isEqualTo(Stores.value(k));
                    }
                }
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }

    @ParameterizedTest
    @CsvSource({"cairn-heap, CANONICAL", "cairn-heap, NATIVE", "flink-hashmap, CANONICAL", "flink-hashmap, NATIVE",
            "cairn-rocksdb, CANONICAL", "cairn-rocksdb, NATIVE"})
    void savepointsRestoreRescaledWithExactlyTheOwnedKeys(String name, StateStore.SavepointFormat format) throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (StateStore s = Stores.create(name, dir)) {
            for (long k = 0; k < 3000; k++) {
                s.setKey(k);
                s.valueUpdate(Stores.value(k));
            }
            StateStore.PendingSnapshot.Done savepoint = s.savepoint(1, format).complete();
            s.setKey(3);
            s.valueUpdate("changed after the savepoint");
            try (StateStore half = s.restore(dir.resolve("restored"), java.util.List.of(savepoint), 1, 2);
                 StateStore owner = Stores.create(name, dir.resolve("owner"), 1, 2)) {
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
    void uncompressedCanonicalSavepointsAreLargerAndRestoreTheSame() throws Exception {
        Path dir = Files.createTempDirectory("stores-test-");
        try (CairnStore lz4 = (CairnStore) Stores.create(Stores.CAIRN_HEAP, dir.resolve("lz4"));
             CairnStore plain = ((CairnStore) Stores.create(Stores.CAIRN_HEAP, dir.resolve("plain"))).uncompressed()) {
            for (CairnStore s : java.util.List.of(lz4, plain)) {
                for (long k = 0; k < 3000; k++) {
                    s.setKey(k);
                    s.valueUpdate(Stores.value(k));
                }
            }
            StateStore.PendingSnapshot.Done fromPlain = plain.savepoint(1, StateStore.SavepointFormat.CANONICAL).complete();
            lz4.savepoint(1, StateStore.SavepointFormat.CANONICAL).complete();
            assertThat(Stores.bytesUnder(dir.resolve("plain"))).isGreaterThan(Stores.bytesUnder(dir.resolve("lz4")));
            try (StateStore restored = plain.restore(dir.resolve("restored"), fromPlain)) {
                restored.setKey(2999);
                assertThat(restored.valueGet()).isEqualTo(Stores.value(2999));
            }
        } finally {
            Stores.deleteRecursively(dir);
        }
    }
}
