package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Checkpoints of 1M value-state keys after {@code changedPercent} of them changed: the
 * synchronous pause (the task is blocked only for it), and the whole snapshot with its
 * asynchronous write. {@code cairn-heap-incremental} writes only the entries that changed (where
 * few of a key group's did); Flink's heap backend has no incremental mode.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 8)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class SnapshotBenchmark {

    static final String CAIRN_INCREMENTAL = "cairn-heap-incremental";

    @Param({Stores.CAIRN_HEAP, CAIRN_INCREMENTAL, Stores.FLINK_HASHMAP})
    public String store;

    @Param({"1", "10", "50"})
    public int changedPercent;

    @Param({"1000000"})
    public int keyCount;

    private StateStore state;
    private Path workDir;
    private long checkpointId;
    private StateStore.PendingSnapshot pending;
    private final SplittableRandom random = new SplittableRandom(7);
    private final ShotCpu cpu = new ShotCpu();
    private long bytesBefore;
    private final List<Long> bytesWritten = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        state = Stores.create(store.equals(CAIRN_INCREMENTAL) ? Stores.CAIRN_HEAP : store, workDir);
        for (int k = 0; k < keyCount; k++) {
            state.setKey(k);
            state.valueUpdate(Stores.value(k));
        }
        state.snapshot(++checkpointId, incremental()).complete(); // the base an incremental checkpoint builds on
    }

    /** Changes {@code changedPercent} of the keys, as the records between two checkpoints would. */
    @Setup(Level.Invocation)
    public void change() throws Exception {
        int changes = keyCount / 100 * changedPercent;
        for (int i = 0; i < changes; i++) {
            long k = random.nextInt(keyCount);
            state.setKey(k);
            state.valueUpdate(Stores.value(k + 1));
        }
        bytesBefore = Stores.bytesUnder(workDir);
        cpu.start();
    }

    @TearDown(Level.Invocation)
    public void finishPending(IterationParams iteration) throws Exception {
        cpu.stop(iteration);
        if (pending != null) {
            pending.complete();
            pending = null;
        }
        if (iteration.getType() == IterationType.MEASUREMENT && !Stores.isRocksDb(store)) { // a RocksDB directory holds its database too
            bytesWritten.add(Stores.bytesUnder(workDir) - bytesBefore); // nothing deletes older checkpoints here
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        cpu.record(benchmark, Integer.toString(changedPercent));
        if (!bytesWritten.isEmpty()) { // the median shot: an incremental store rewrites a key group whole after a few deltas
            long[] sorted = bytesWritten.stream().mapToLong(Long::longValue).sorted().toArray();
            SnapshotSizes.CHECKPOINTS.record(store, "changed-" + changedPercent, keyCount, sorted[sorted.length / 2]);
        }
        state.close();
        Stores.deleteRecursively(workDir);
    }

    /** Only the synchronous part; the asynchronous part runs after the measurement. */
    @Benchmark
    public Object syncPause() throws Exception {
        pending = state.snapshot(++checkpointId, incremental());
        return pending;
    }

    /** The synchronous and the asynchronous part, written to local disk. */
    @Benchmark
    public Object wholeSnapshot() throws Exception {
        return state.snapshot(++checkpointId, incremental()).complete();
    }

    private boolean incremental() {
        return store.equals(CAIRN_INCREMENTAL) || Stores.isRocksDb(store);
    }
}
