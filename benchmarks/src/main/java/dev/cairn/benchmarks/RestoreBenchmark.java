package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Restoring checkpoints of 1M value-state keys: at the same parallelism, merged from two subtasks
 * into one ({@code 2to1}), and split from one into the first of two ({@code 1to2}). Heap
 * checkpoints are full; RocksDB ones native (incremental), as both RocksDB backends take them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class RestoreBenchmark {

    @Param({Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP})
    public String store;

    @Param({"same", "2to1", "1to2"})
    public String rescale;

    @Param({"1000000"})
    public int keyCount;

    private final List<StateStore> sources = new ArrayList<>();
    private final List<StateStore.PendingSnapshot.Done> checkpoints = new ArrayList<>();
    private Path workDir;
    private StateStore restored;
    private final ShotCpu cpu = new ShotCpu();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        int parallelism = rescale.equals("2to1") ? 2 : 1;
        for (int i = 0; i < parallelism; i++) {
            StateStore s = Stores.create(store, workDir, i, parallelism); // one storage, as a job has
            for (long k = 0; k < keyCount; k++) {
                if (s.owns(k)) {
                    s.setKey(k);
                    s.valueUpdate(Stores.value(k));
                }
            }
            sources.add(s);
            checkpoints.add(s.snapshot(1, Stores.isRocksDb(store)).complete());
        }
        if (!Stores.isRocksDb(store)) { // a RocksDB directory holds its database too
            SnapshotSizes.CHECKPOINTS.record(store, rescale, keyCount, Stores.bytesUnder(workDir)); // what a restore reads
        }
    }

    @Setup(Level.Invocation)
    public void startShot() {
        cpu.start();
    }

    @TearDown(Level.Invocation)
    public void closeRestored(IterationParams iteration) throws Exception {
        cpu.stop(iteration);
        restored.close();
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        cpu.record(benchmark, rescale);
        for (StateStore s : sources) {
            s.close();
        }
        Stores.deleteRecursively(workDir);
    }

    @Benchmark
    public Object restore() throws Exception {
        int parallelism = rescale.equals("1to2") ? 2 : 1;
        restored = sources.get(0).restore(workDir.resolve("restore"), checkpoints, 0, parallelism);
        return restored;
    }

    /**
     * A restore, then one read of every key the restored subtask holds: a backend that defers work
     * past the restore (Cairn's heap backend deserializes a value when it is first read) pays it here.
     */
    @Benchmark
    public long restoreAndReadEveryKey() throws Exception {
        restore();
        long chars = 0;
        for (long k = 0; k < keyCount; k++) {
            if (restored.owns(k)) {
                restored.setKey(k);
                chars += restored.valueGet().length();
            }
        }
        return chars;
    }
}
