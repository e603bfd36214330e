package dev.cairn.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * A whole job, end to end, on Cairn's runtime or Flink's: {@code records} numbers, parallelism 2,
 * keyed by {@code x % keys}, a {@code ValueState<Long>} count per key, a discarding sink,
 * checkpoints every second. One iteration runs the job to its end; records per second is
 * {@code records} over its time. The process CPU time of each measured iteration, its wall time and
 * the load average as it began go to {@code pipeline-cpu.tsv} in {@code cairn.results}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 2)
public class PipelineBenchmark {

    static final String CPU_FILE = "pipeline-cpu.tsv";
    private static final int PARALLELISM = 2;

    @Param({"cairn", "flink"})
    public String side;

    @Param({"heap", "rocksdb"})
    public String backend;

    @Param("20000000")
    public long records;

    @Param("1000000")
    public long keys;

    private Path dir;
    private FlinkPipeline flink;
    private boolean measured;
    private long cpuBefore;
    private long wallBefore;
    private String loadBefore;

    @Setup(Level.Iteration)
    public void setUp(IterationParams iteration) throws Exception {
        dir = Files.createTempDirectory("cairn-pipeline-");
        measured = iteration.getType() == IterationType.MEASUREMENT;
        loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ")[0]; // the machine's load as the job starts
        if ("flink".equals(side)) {
            flink = new FlinkPipeline(backend, PARALLELISM, dir);
        }
        System.gc();
    }

    @Benchmark
    public void job() throws Exception {
        cpuBefore = processCpuNanos();
        wallBefore = System.nanoTime();
        if (flink != null) {
            flink.run(records, keys, PARALLELISM);
        } else {
            CairnPipeline.run(backend, records, keys, PARALLELISM, dir);
        }
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws Exception {
        long cpu = processCpuNanos() - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        if (flink != null) {
            flink.close();
            flink = null;
        }
        Stores.deleteRecursively(dir);
        if (measured) {
            Path out = Path.of(System.getProperty("cairn.results", "."), CPU_FILE);
            Files.writeString(out, String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%d\t%d\t%s%n", side, backend, records, keys, cpu, wall,
                            loadBefore),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static long processCpuNanos() throws IOException {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
