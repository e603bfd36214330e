package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
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

/** Restoring a full heap checkpoint of 1M value-state keys at the same parallelism. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class RestoreBenchmark {

    @Param({Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP})
    public String store;

    @Param({"1000000"})
    public int keyCount;

    private StateStore state;
    private StateStore.PendingSnapshot.Done checkpoint;
    private Path workDir;
    private StateStore restored;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        state = Stores.create(store, workDir);
        for (int k = 0; k < keyCount; k++) {
            state.setKey(k);
            state.valueUpdate(Stores.value(k));
        }
        checkpoint = state.snapshot(1, false).complete();
    }

    @TearDown(Level.Invocation)
    public void closeRestored() throws Exception {
        restored.close();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        state.close();
        Stores.deleteRecursively(workDir);
    }

    @Benchmark
    public Object restore() throws Exception {
        restored = state.restore(workDir.resolve("restore"), checkpoint);
        return restored;
    }
}
