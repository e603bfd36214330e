package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * One fork of the off-heap comparison: one store, one state size. After a small store warmed the
 * process up (what it pays once is no cost per entry), loads {@code keys} value-state
 * keys, recording every stop-the-world collection during the load (the state growing); then the
 * memory each entry costs once collected (heap, and resident memory outside the heap: the heap is
 * pre-touched, so what the process gains beyond it is native memory and mapped files) and the
 * bytes of the store's files; then checkpoints after 1 % of the keys changed (the synchronous
 * pause and the whole snapshot, full for Cairn's stores and Flink's heap, incremental for Flink's
 * RocksDB as it runs in production), and restores of the last one. Appends one JSON line.
 */
public final class OffHeapRun {

    private OffHeapRun() {
    }

    /** Args: store name, key count, output file, snapshot shots, restore shots. */
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int keys = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        int shots = Integer.parseInt(args[3]);
        int restores = Integer.parseInt(args[4]);
        Path dir = Files.createTempDirectory("cairn-offheap-bench-");
        ObjectMapper json = new ObjectMapper();
        ObjectNode result = json.createObjectNode().put("store", name).put("keys", keys)
                .put("load", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        try {
            measure(name, keys, dir, shots, restores, result);
        } finally {
            Stores.deleteRecursively(dir);
        }
        Files.writeString(out, json.writeValueAsString(result) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void measure(String name, int keys, Path dir, int shots, int restores, ObjectNode result) throws Exception {
        // what a process pays once (classes, compiled code, Chronicle's own start-up) is not a cost per entry
        try (StateStore warmUp = Stores.create(name, dir.resolve("warm-up"))) {
            for (int k = 0; k < 20_000; k++) {
                warmUp.setKey(k);
                warmUp.valueUpdate(Stores.value(k));
            }
        }
        Stores.deleteRecursively(dir.resolve("warm-up"));
        collectTwice();
        long heapBefore = heapUsed();
        long residentBefore = resident();
        List<Double> pauses = Collections.synchronizedList(new ArrayList<>());
        listenToPauses(pauses);
        Path storeDir = dir.resolve("store");
        StateStore store = Stores.create(name, storeDir);
        try {
            long start = System.nanoTime();
            for (int k = 0; k < keys; k++) {
                store.setKey(k);
                store.valueUpdate(Stores.value(k));
            }
            result.put("loadSeconds", (System.nanoTime() - start) / 1e9);
            List<Double> loadPauses = new ArrayList<>(pauses);
            loadPauses.sort(null);
            ArrayNode p = result.putArray("loadPausesMs");
            loadPauses.forEach(p::add);
            collectTwice();
            result.put("heapBytesPerEntry", (double) (heapUsed() - heapBefore) / keys);
            result.put("nativeResidentBytesPerEntry", (double) (resident() - residentBefore) / keys);
            result.put("fileBytesPerEntry", (double) allocatedBytes(storeDir) / keys); // no snapshot written yet

            SplittableRandom random = new SplittableRandom(7);
            ArrayNode sync = result.putArray("syncPauseMs");
            ArrayNode whole = result.putArray("snapshotMs");
            StateStore.PendingSnapshot.Done last = null;
            boolean incremental = Stores.isRocksDb(name);
            for (int shot = 0; shot < shots + 1; shot++) {
                for (int i = 0; i < keys / 100; i++) {
                    long k = random.nextInt(keys);
                    store.setKey(k);
                    store.valueUpdate(Stores.value(k + shot + 1));
                }
                long t0 = System.nanoTime();
                StateStore.PendingSnapshot pending = store.snapshot(shot + 1, incremental);
                long t1 = System.nanoTime();
                last = pending.complete();
                long t2 = System.nanoTime();
                if (shot > 0) { // the first one warms up
                    sync.add((t1 - t0) / 1e6);
                    whole.add((t2 - t0) / 1e6);
                }
            }
            result.put("snapshotBytes", Stores.bytesUnder(storeDir.resolve("snapshots")));
            if (!incremental) {
                incrementalShots(store, keys, shots, random, storeDir.resolve("snapshots"), result);
            }
            ArrayNode restored = result.putArray("restoreMs");
            for (int r = 0; r < restores; r++) {
                long t0 = System.nanoTime();
                try (StateStore copy = store.restore(dir.resolve("restore-" + r), last)) {
                    restored.add((System.nanoTime() - t0) / 1e6);
                    copy.setKey(keys - 1);
                    if (copy.valueGet() == null) {
                        throw new IllegalStateException("The restored " + name + " store lost key " + (keys - 1));
                    }
                }
                Stores.deleteRecursively(dir.resolve("restore-" + r));
            }
        } finally {
            store.close();
        }
    }

    /**
     * The same checkpoints again, native and incremental (Cairn's stores; Flink's heap has none):
     * the first writes every key group and is not counted, each later one follows 1 % of the keys
     * changing. Bytes: what each wrote to the snapshot directory.
     */
    private static void incrementalShots(StateStore store, int keys, int shots, SplittableRandom random, Path snapshots, ObjectNode result)
            throws Exception {
        if (!(store instanceof CairnStore)) {
            return;
        }
        ArrayNode sync = result.putArray("incrementalSyncMs");
        ArrayNode whole = result.putArray("incrementalMs");
        long before = 0;
        for (int shot = 0; shot < shots + 1; shot++) {
            for (int i = 0; i < keys / 100; i++) {
                long k = random.nextInt(keys);
                store.setKey(k);
                store.valueUpdate(Stores.value(k + shot + 7));
            }
            if (shot == 1) {
                before = Stores.bytesUnder(snapshots);
            }
            long t0 = System.nanoTime();
            StateStore.PendingSnapshot pending = store.snapshot(1_000 + shot, true);
            long t1 = System.nanoTime();
            pending.complete();
            long t2 = System.nanoTime();
            if (shot > 0) {
                sync.add((t1 - t0) / 1e6);
                whole.add((t2 - t0) / 1e6);
            }
        }
        result.put("incrementalBytes", (Stores.bytesUnder(snapshots) - before) / shots);
    }

    /** Stop-the-world collections only: G1's concurrent cycles do not stop the task. */
    private static void listenToPauses(List<Double> pauses) {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().contains("Concurrent")) {
                continue;
            }
            ((NotificationEmitter) gc).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                    pauses.add((double) info.getGcInfo().getDuration());
                }
            }, null, null);
        }
    }

    private static void collectTwice() {
        System.gc();
        System.gc();
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's resident set (Linux), in bytes. */
    private static long resident() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("No VmRSS in /proc/self/status");
    }

    /** Disk blocks the files under {@code dir} take (a map's file is sparse: its size is what it may grow to). */
    private static long allocatedBytes(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        Process du = new ProcessBuilder("du", "-sk", dir.toString()).redirectErrorStream(true).start();
        String text = new String(du.getInputStream().readAllBytes()).trim();
        if (du.waitFor() != 0) {
            throw new IllegalStateException("du failed: " + text);
        }
        return Long.parseLong(text.split("\\s+")[0]) * 1024;
    }
}
