package dev.cairn.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * A rescale from one subtask to two, in the state layer: the snapshot the old run stops with,
 * then the restore of the first new subtask (the second restores the other half in parallel).
 * 1% of the keys changed since the last periodic checkpoint. {@code handover}: {@code checkpoint}
 * is a native incremental checkpoint (what Cairn's platform stops with, and what Flink's adaptive
 * scheduler rescales from), {@code canonical} and {@code native} are savepoints in that format
 * (Flink's stop-with-savepoint, canonical by default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms10g", "-Xmx10g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class RescaleBenchmark {

    @Param({Stores.CAIRN_ROCKSDB})
    public String store;

    @Param({"checkpoint", "canonical", "native"})
    public String handover;

    @Param({"10000000"})
    public int keyCount;

    private final SplittableRandom random = new SplittableRandom(11);
    private Path workDir;
    private StateStore state;
    private StateStore restored;
    private long checkpointId;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        state = Stores.create(store, workDir);
        for (long k = 0; k < keyCount; k++) {
            state.setKey(k);
            state.valueUpdate(Stores.value(k));
        }
        state.snapshot(++checkpointId, true).complete(); // the periodic checkpoint before the rescale
    }

    /** The records since the last checkpoint. */
    @Setup(Level.Invocation)
    public void change() throws Exception {
        for (int i = 0; i < keyCount / 100; i++) {
            long k = random.nextInt(keyCount);
            state.setKey(k);
            state.valueUpdate(Stores.value(k + 1));
        }
    }

    @TearDown(Level.Invocation)
    public void closeRestored() throws Exception {
        restored.close();
        Stores.deleteRecursively(workDir.resolve("restore-" + checkpointId));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        state.close();
        Stores.deleteRecursively(workDir);
    }

    @Benchmark
    public Object stopAndRestoreRescaled() throws Exception {
        long id = ++checkpointId;
        StateStore.PendingSnapshot stop = switch (handover) {
            case "checkpoint" -> state.snapshot(id, true);
            case "canonical" -> state.savepoint(id, StateStore.SavepointFormat.CANONICAL);
            case "native" -> state.savepoint(id, StateStore.SavepointFormat.NATIVE);
            default -> throw new IllegalArgumentException("handover " + handover);
        };
        restored = state.restore(workDir.resolve("restore-" + id), List.of(stop.complete()), 0, 2);
        return restored;
    }
}
