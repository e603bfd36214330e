package dev.cairn.backend.offheap;

import static org.assertj.core.api.Assertions.assertThat;

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
        return ("row-" + k).getBytes(StandardCharsets.UTF_8);
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
    void writesBetweenTheSegmentsASnapshotReadsDoNotReachIt() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            KeyGroupStore store = new KeyGroupStore(dir, "t" + seed);
            Map<String, String> model = fill(store, random, 3_000);
            Map<String, String> expected = new HashMap<>(model);
            StoreCapture capture = store.capture();
            long capacity = store.capacity();
            Map<String, String> read = new HashMap<>();
            int generation = seed;
            // every row handed over is followed by writes: they land in segments read already and in those still to come,
            // and in the first rounds on 17,000 more keys as well, so the store grows while the snapshot reads its old map
            int[] calls = {0};
            store.read(capture, (row, value) -> {
                assertThat(read.put(text(row), text(value))).as("row %s handed over twice", text(row)).isNull();
                for (int i = 0; i < (calls[0] < 500 ? 10 : 3); i++) {
                    write(store, model, random, calls[0] < 500 ? 20_000 : 3_000, generation + 1);
                }
                calls[0]++;
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
            KeyGroupStore store = new KeyGroupStore(dir, "r" + seed);
            Map<String, String> model = fill(store, random, 20_000);
            Map<String, String> expected = new HashMap<>(model);
            StoreCapture capture = store.capture();
            Map<String, String> read = new HashMap<>();
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    store.read(capture, (row, value) -> read.put(text(row), text(value)));
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
    void anEmptyStoreHasNothingToCaptureAndRowsWrittenAfterACaptureAreNotInIt() {
        KeyGroupStore store = new KeyGroupStore(dir, "e");
        assertThat(store.capture()).isNull();
        store.put(row(1), row(1));
        StoreCapture capture = store.capture();
        store.put(row(2), row(2));
        store.remove(row(1));
        Map<String, String> read = new HashMap<>();
        store.read(capture, (row, value) -> read.put(text(row), text(value)));
        assertThat(read).containsExactly(Map.entry("row-1", "row-1"));
        store.close();
    }
}
