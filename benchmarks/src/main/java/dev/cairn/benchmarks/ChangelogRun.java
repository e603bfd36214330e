package dev.cairn.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One fork of the changelog comparison: one store, one state size. The task thread loads
 * {@code keys} value-state keys, then updates random keys at a steady rate while a checkpoint is
 * triggered every 100 ms (one at a time, as with Flink's default of one concurrent checkpoint),
 * first until a checkpoint builds on a materialisation taken after the load, then for the
 * measured phase: each checkpoint's duration (trigger to the end of its asynchronous part), the
 * bytes it added and the bytes it references. Then restores of a checkpoint whose log holds
 * five seconds of changes since a materialisation (so both sides replay as much), each checked
 * against the values the run wrote, and the same job unthrottled (updates per second with
 * checkpoints running). Appends one JSON line to the output file.
 */
public final class ChangelogRun {

    static final Duration INTERVAL = Duration.ofMillis(100);
    /** Both changelogs materialise this often: several times within a fork (Flink's default is 10 minutes, Cairn's 3). */
    static final Duration MATERIALIZATION = Duration.ofSeconds(10);
    static final int RATE = 50_000;

    private final CheckpointedStore store;
    /** Whether the store keeps a changelog. */
    private final boolean logged;
    private final int keys;
    private final int[] versions;
    private final SplittableRandom random = new SplittableRandom(42);
    private final ExecutorService async = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "checkpoint-async");
        t.setDaemon(true);
        return t;
    });
    private long checkpointId;
    private CheckpointedStore.Checkpoint last;
    /** The checkpoint in flight (one at a time), across phases. */
    private Future<CheckpointedStore.Checkpoint> pending;
    private long pendingId;
    private long pendingStart;
    private long lastTrigger = Long.MIN_VALUE / 2;

    private ChangelogRun(CheckpointedStore store, boolean logged, int keys) {
        this.store = store;
        this.logged = logged;
        this.keys = keys;
        this.versions = new int[keys];
    }

    /** Args: store name, key count, output file, seconds measured at the steady rate, seconds unthrottled, restores. */
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int keys = Integer.parseInt(args[1]);
        Path out = Path.of(args[2]);
        int steadySeconds = Integer.parseInt(args[3]);
        int fullSpeedSeconds = Integer.parseInt(args[4]);
        int restores = Integer.parseInt(args[5]);
        Path dir = Files.createTempDirectory("cairn-changelog-bench-");
        ObjectMapper json = new ObjectMapper();
        ObjectNode result = json.createObjectNode().put("store", name).put("keys", keys).put("rate", RATE)
                .put("load", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        ExecutorService pool = Executors.newCachedThreadPool();
        try (CheckpointedStore store = create(name, dir, pool)) {
            new ChangelogRun(store, name.endsWith("changelog"), keys).measure(steadySeconds, fullSpeedSeconds, restores, dir, result);
        } finally {
            pool.shutdownNow();
            Stores.deleteRecursively(dir);
        }
        Files.writeString(out, json.writeValueAsString(result) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println(result);
        System.exit(0); // pools of both libraries keep non-daemon threads
    }

    static CheckpointedStore create(String name, Path dir, ExecutorService pool) throws Exception {
        return switch (name) {
            case "cairn-rocksdb" -> CairnCheckpointedStore.create(dir, null);
            case "cairn-changelog" -> CairnCheckpointedStore.create(dir, MATERIALIZATION);
            case "flink-rocksdb" -> FlinkCheckpointedStore.create(dir, null, pool);
            case "flink-changelog" -> FlinkCheckpointedStore.create(dir, MATERIALIZATION, pool);
            default -> throw new IllegalArgumentException("No store named " + name);
        };
    }

    private void measure(int steadySeconds, int fullSpeedSeconds, int restores, Path dir, ObjectNode result) throws Exception {
        long loadStart = System.nanoTime();
        for (int k = 0; k < keys; k++) {
            store.update(k, value(k, 0));
            if ((k & 1023) == 0) {
                store.runMail();
            }
        }
        result.put("loadMs", (System.nanoTime() - loadStart) / 1_000_000);

        long warmStart = System.nanoTime();
        Phase warmUp = new Phase(RATE, null);
        // until checkpoints build on a materialisation started after the load (a base other than the one, if any, the
        // first checkpoint after the load built on): the load's log is gone
        Object[] loadBase = {null};
        boolean[] seen = {false};
        warmUp.runUntil(() -> {
            if (last == null) {
                return false;
            }
            if (!seen[0]) {
                seen[0] = true;
                loadBase[0] = last.base();
            }
            boolean fresh = !logged || (last.materialized() && !java.util.Objects.equals(last.base(), loadBase[0]));
            return fresh && System.nanoTime() - warmStart >= MATERIALIZATION.toNanos();
        }, Duration.ofMinutes(5), "a checkpoint on a materialisation taken after the load");
        result.put("warmUpMs", (System.nanoTime() - warmStart) / 1_000_000);

        Phase steady = new Phase(RATE, result);
        long steadyEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(steadySeconds);
        steady.runUntil(() -> System.nanoTime() >= steadyEnd, Duration.ofSeconds(steadySeconds + 60L), "the measured phase's end");

        // a restore replays the log since the last materialisation: both sides restore one with five seconds of changes
        long logPerSecond = logged ? logBytesPerSecond(result) : 0;
        Phase toRestore = new Phase(RATE, null);
        boolean[] truncated = {logPerSecond == 0};
        toRestore.runUntil(() -> {
            truncated[0] |= last.logBytes() < logPerSecond;
            return truncated[0] && last.logBytes() >= 5 * logPerSecond;
        }, Duration.ofMinutes(2), "a checkpoint whose log holds five seconds of changes");
        toRestore.finishPending();
        CheckpointedStore.Checkpoint restored = toRestore.checkpointNow();
        result.put("restoredBytes", restored.bytes()).put("restoredLogBytes", restored.logBytes());
        ArrayNode restoreMs = result.putArray("restoreMs");
        for (int i = 0; i < restores; i++) {
            Path into = dir.resolve("restore-" + i);
            long start = System.nanoTime();
            try (CheckpointedStore copy = store.restore(into, restored)) {
                restoreMs.add((System.nanoTime() - start) / 1e6);
                verify(copy);
            }
            Stores.deleteRecursively(into);
        }

        Phase fullSpeed = new Phase(0, null);
        long fullStart = System.nanoTime();
        long fullEnd = fullStart + TimeUnit.SECONDS.toNanos(fullSpeedSeconds);
        fullSpeed.runUntil(() -> System.nanoTime() >= fullEnd, Duration.ofSeconds(fullSpeedSeconds + 60L), "the unthrottled phase's end");
        result.put("updatesPerSecond", fullSpeed.updates / ((System.nanoTime() - fullStart) / 1e9));
        fullSpeed.finishPending();
    }

    /** The log's growth at the steady rate: the median bytes a checkpoint added, ten checkpoints a second. */
    private static long logBytesPerSecond(ObjectNode result) {
        List<Long> added = new ArrayList<>();
        result.path("bytesAdded").forEach(n -> added.add(n.asLong()));
        added.sort(null);
        return added.isEmpty() ? 0 : added.get(added.size() / 2) * (1000 / INTERVAL.toMillis());
    }

    /** The restored state holds what the run wrote last, for a sample of keys. */
    private void verify(CheckpointedStore restored) throws Exception {
        SplittableRandom sample = new SplittableRandom(7);
        for (int i = 0; i < 2000; i++) {
            int k = sample.nextInt(keys);
            String got = restored.get(k);
            if (!value(k, versions[k]).equals(got)) {
                throw new IllegalStateException("Restored key " + k + " holds " + got + ", the run wrote " + value(k, versions[k]));
            }
        }
    }

    private static String value(long key, int version) {
        return "value-" + key + "-" + version;
    }

    /** The task thread's loop: records at a rate (0: as fast as the store goes), mail, checkpoints every interval. */
    private final class Phase {
        private final int rate;
        private final ObjectNode record;
        private long updates;

        Phase(int rate, ObjectNode record) {
            this.rate = rate;
            this.record = record;
        }

        void runUntil(java.util.function.BooleanSupplier done, Duration limit, String what) throws Exception {
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("No " + what + " within " + limit + " (last checkpoint " + checkpointId + ")");
                }
                store.runMail();
                pollCheckpoint();
                long due = rate == 0 ? updates + 256 : (System.nanoTime() - start) * rate / 1_000_000_000L;
                if (updates >= due) {
                    LockSupport.parkNanos(50_000);
                    continue;
                }
                for (long n = Math.min(due - updates, 64); n > 0; n--) {
                    int k = random.nextInt(keys);
                    store.update(k, value(k, ++versions[k]));
                    updates++;
                }
            }
        }

        private void pollCheckpoint() throws Exception {
            if (pending != null && pending.isDone()) {
                CheckpointedStore.Checkpoint c = pending.get();
                pending = null;
                store.completed(pendingId);
                if (record != null) {
                    record.withArray("durationMs").add((c.doneNanos() - pendingStart) / 1e6);
                    record.withArray("bytesAdded").add(c.bytesNewSince(last));
                    record.withArray("bytesReferenced").add(c.bytes());
                }
                last = c;
            }
            long now = System.nanoTime(); // after the completion's work above: it is not the next checkpoint's
            if (pending == null && now - lastTrigger >= INTERVAL.toNanos()) {
                lastTrigger = now;
                pendingStart = now;
                pendingId = ++checkpointId;
                Callable<CheckpointedStore.Checkpoint> part = store.checkpoint(pendingId);
                pending = async.submit(part);
            }
        }

        void finishPending() throws Exception {
            while (pending != null) {
                store.runMail();
                LockSupport.parkNanos(100_000);
                if (pending.isDone()) {
                    lastTrigger = System.nanoTime(); // no new one: the next is taken on purpose
                    pollCheckpoint();
                }
            }
        }

        CheckpointedStore.Checkpoint checkpointNow() throws Exception {
            lastTrigger = Long.MIN_VALUE / 2;
            pollCheckpoint();
            finishPending();
            return last;
        }
    }
}
