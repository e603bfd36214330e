package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Canonical savepoints of {@code keyCount} value-state keys: writing one to local disk, and
 * restoring one into a backend of the same kind at the same parallelism. Cairn's sections are
 * LZ4-compressed or stored plain ({@code compression}); Flink's savepoints are not compressed
 * (its default). RocksDB stores take a checkpoint after loading, as a running job has (it flushes
 * their memtables). The savepoint's size is recorded beside the results, for MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms10g", "-Xmx10g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class SavepointBenchmark {

    @Param({Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP})
    public String store;

    @Param({"lz4", "none"})
    public String compression;

    @Param({"1000000"})
    public int keyCount;

    private Path workDir;
    private StateStore state;
    private StateStore.PendingSnapshot.Done savepoint;
    private StateStore restored;
    private long savepointId;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        state = Stores.create(store, workDir);
        if (compression.equals("none") && state instanceof CairnStore cairn) {
            cairn.uncompressed();
        }
        for (long k = 0; k < keyCount; k++) {
            state.setKey(k);
            state.valueUpdate(Stores.value(k));
        }
        if (Stores.isRocksDb(store)) {
            state.snapshot(++savepointId, true).complete(); // as a running job has checkpointed: memtables flushed
        }
        Path snapshots = workDir.resolve("snapshots");
        long before = Stores.bytesUnder(snapshots);
        savepoint = state.savepoint(++savepointId, StateStore.SavepointFormat.CANONICAL).complete();
        SnapshotSizes.SAVEPOINTS.record(store, compression, keyCount, Stores.bytesUnder(snapshots) - before);
    }

    @TearDown(Level.Invocation)
    public void closeRestored() throws Exception {
        if (restored != null) {
            restored.close();
            restored = null;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        state.close();
        Stores.deleteRecursively(workDir);
    }

    /** The whole savepoint: the synchronous part and the write to local disk. */
    @Benchmark
    public Object write() throws Exception {
        return state.savepoint(++savepointId, StateStore.SavepointFormat.CANONICAL).complete();
    }

    /** A new backend of the same kind built from the savepoint. */
    @Benchmark
    public Object restore() throws Exception {
        restored = state.restore(workDir.resolve("restore-" + ++savepointId), List.of(savepoint), 0, 1);
        return restored;
    }
}
