package dev.cairn.backend.offheap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot of a store reads exactly the rows of its synchronous moment, whatever the task writes
 * while it reads: changes, removals, re-insertions, and enough new rows that the store moves to a
 * bigger map in the middle of the read.
 */
class KeyGroupStoreSnapshotTest {

    @TempDir
    Path dir;

    private static byte[] row(int k) {
        return Rows.prefix(("row-" + k).getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void write(KeyGroupStore store, Map<String, String> model, Random random, int keys, int generation) {
        int k = random.nextInt(keys);
        if (random.nextInt(4) == 0) {
            store.remove(row(k));
            model.remove(text(row(k)));
        } else {
            String v = "v" + generation + "-" + k + "-" + "x".repeat(random.nextInt(40));
            store.put(row(k), v.getBytes(StandardCharsets.UTF_8));
            model.put(text(row(k)), v);
        }
    }

    private static Map<String, String> fill(KeyGroupStore store, Random random, int keys) {
        Map<String, String> model = new HashMap<>();
        for (int i = 0; i < keys * 2; i++) {
            write(store, model, random, keys, 0);
        }
        return model;
    }

    @Test
    void writesBetweenTheSegmentsASnapshotReadsDoNotReachIt() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            KeyGroupStore store = new KeyGroupStore(dir, "t" + seed, "test store", false);
            Map<String, String> model = fill(store, random, 3_000);
            Map<String, String> expected = new HashMap<>(model);
            StoreCapture capture = store.capture();
            long capacity = store.capacity();
            Map<String, String> read = new HashMap<>();
            int generation = seed;
            // every row handed over is followed by writes: they land in segments read already and in those still to come,
            // and new keys as well until the store moved to a bigger map, so the snapshot goes on reading the old one
            store.read(capture, (row, value) -> {
                assertThat(read.put(text(row), text(value))).as("row %s handed over twice", text(row)).isNull();
                boolean grow = store.capacity() == capacity; // new keys until the store moved to a bigger map
                for (int i = 0; i < (grow ? 20 : 3); i++) {
                    write(store, model, random, grow ? 100_000 : 3_000, generation + 1);
                }
            });
            assertThat(read).as("seed %d", seed).isEqualTo(expected);
            assertThat(store.capacity()).as("the store grew during the read").isGreaterThan(capacity);
            // and the store holds what the writes left
            Map<String, String> now = new HashMap<>();
            store.forEach((row, value) -> now.put(text(row), text(value)));
            assertThat(now).isEqualTo(model);
            store.close();
        }
    }

    @Test
    void aWriterThreadRacingTheSnapshotReaderNeverReachesIt() throws Exception {
        for (int seed = 0; seed < 10; seed++) {
            Random random = new Random(seed);
            KeyGroupStore store = new KeyGroupStore(dir, "r" + seed, "test store", false);
            Map<String, String> model = fill(store, random, 20_000);
            Map<String, String> expected = new HashMap<>(model);
            StoreCapture capture = store.capture();
            Map<String, String> read = new HashMap<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    store.read(capture, (row, value) -> {
                        if (read.put(text(row), text(value)) != null) {
                            throw new AssertionError("row " + text(row) + " handed over twice");
                        }
                    });
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    done.set(true);
                }
            });
            reader.start();
            int written = 0;
            // the task goes on until the snapshot is read, and at least this much
            while (!done.get() || written < 20_000) {
                write(store, model, random, 30_000, seed + 1);
                written++;
            }
            reader.join();
            assertThat(failure.get()).isNull();
            assertThat(read).as("seed %d", seed).isEqualTo(expected);
            store.close();
        }
    }

    @Test
    void anEmptyStoreHasNothingToCaptureAndRowsWrittenAfterACaptureAreNotInIt() throws Exception {
        KeyGroupStore store = new KeyGroupStore(dir, "e", "test store", false);
        assertThat(store.capture()).isNull();
        store.put(row(1), row(1));
        StoreCapture capture = store.capture();
        store.put(row(2), row(2));
        store.remove(row(1));
        Map<String, String> read = new HashMap<>();
        store.read(capture, (row, value) -> read.put(text(row), text(value)));
        assertThat(read).containsExactly(Map.entry(text(row(1)), text(row(1))));
        store.close();
    }

    @Test
    void rowsThatKeepGrowingAndOneVeryLargeRowFitBecauseTheStoreMovesToBiggerMaps() {
        KeyGroupStore store = new KeyGroupStore(dir, "g", "test store", false);
        Map<String, Integer> lengths = new HashMap<>();
        // lists of 200 keys that grow by appends, as list state does, far past the sizes the first map was planned for
        for (int round = 0; round < 300; round++) {
            for (int k = 0; k < 200; k++) {
                byte[] old = store.get(row(k));
                byte[] longer = Rows.append(old, ("element-" + round).getBytes(StandardCharsets.UTF_8));
                store.put(row(k), longer);
                lengths.put(text(row(k)), longer.length);
            }
        }
        byte[] large = new byte[8 << 20];
        new Random(1).nextBytes(large);
        store.put(row(7), large);
        lengths.put(text(row(7)), large.length);
        Map<String, Integer> stored = new HashMap<>();
        store.forEach((row, value) -> stored.put(text(row), value.length));
        assertThat(stored).isEqualTo(lengths);
        assertThat(store.get(row(7))).isEqualTo(large);
        assertThat(Rows.elements(store.get(row(3)))).hasSize(300);
        store.close();
    }

    @Test
    void twoSnapshotsAtOnceEachReadTheirOwnMoment() throws Exception {
        Random random = new Random(3);
        KeyGroupStore store = new KeyGroupStore(dir, "two", "test store", false);
        Map<String, String> model = fill(store, random, 2_000);
        Map<String, String> atFirst = new HashMap<>(model);
        StoreCapture first = store.capture();
        for (int i = 0; i < 1_000; i++) {
            write(store, model, random, 2_000, 1);
        }
        Map<String, String> atSecond = new HashMap<>(model);
        StoreCapture second = store.capture();
        Map<String, String> readSecond = new HashMap<>();
        store.read(second, (row, value) -> {
            readSecond.put(text(row), text(value));
            write(store, model, random, 2_000, 2);
        });
        Map<String, String> readFirst = new HashMap<>();
        store.read(first, (row, value) -> readFirst.put(text(row), text(value)));
        assertThat(readFirst).isEqualTo(atFirst);
        assertThat(readSecond).isEqualTo(atSecond);
        store.close();
    }

    @Test
    void aStoreClosedWhileASnapshotReadsItStopsTheReadWithAnErrorNotACrash() throws Exception {
        KeyGroupStore store = new KeyGroupStore(dir, "closing", "state 'counts', key group 7", false);
        fill(store, new Random(5), 5_000);
        StoreCapture capture = store.capture();
        int[] rows = {0};
        assertThatThrownBy(() -> store.read(capture, (row, value) -> {
            if (rows[0]++ == 0) {
                store.close(); // as the task does when it fails while a checkpoint is being written
            }
        })).isInstanceOf(java.io.IOException.class).hasMessageContaining("state 'counts', key group 7 closed while a snapshot read it");
        assertThat(rows[0]).isPositive();
    }

    @Test
    void aCaptureGivenUpBeforeItsReadCannotBeReadAndNoLongerCopiesChangedRows() throws Exception {
        KeyGroupStore store = new KeyGroupStore(dir, "given-up", "test store", false);
        Random random = new Random(9);
        Map<String, String> model = fill(store, random, 1_000);
        StoreCapture capture = store.capture();
        store.release(capture);
        for (int i = 0; i < 1_000; i++) {
            write(store, model, random, 1_000, 1);
        }
        assertThat(capture.preserved).isEmpty();
        assertThatThrownBy(() -> store.read(capture, (row, value) -> { })).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("given up before it was read");
        store.close();
    }
}
