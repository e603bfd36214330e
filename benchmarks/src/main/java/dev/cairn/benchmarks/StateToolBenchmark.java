package dev.cairn.benchmarks;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.catalog.MetadataCodec;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.tools.state.StateTool;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
 * {@code bin/cairn state export} and {@code rewrite --max-parallelism} over a canonical snapshot (a checkpoint of sections) of
 * {@code keyCount} value-state keys (Long keys, String values) on local disk, run as a user runs
 * them (the command's entry point, one thread). The sizes read and written go beside the results,
 * for MB/s; {@code get} of one key is not timed, only what it read is recorded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class StateToolBenchmark {

    @Param({"10000000"})
    public int keyCount;

    private Path workDir;
    private Path checkpoint;
    private Path output;
    private int invocation;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-state-tool-bench-");
        long id = 1;
        List<KeyedStateHandle> handles;
        try (CairnStore state = CairnStore.heap(workDir, 0, 1)) {
            for (long k = 0; k < keyCount; k++) {
                state.setKey(k);
                state.valueUpdate(Stores.value(k));
            }
            handles = CairnStore.handles(state.savepoint(id, StateStore.SavepointFormat.CANONICAL).complete());
        }
        // the metadata the platform writes for such a snapshot, so that the tool opens it as any other
        String directory = BackendHarness.JOB + "/chk-" + id;
        SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, id, SnapshotKind.CHECKPOINT, null, "canonical",
                "heap", BackendHarness.JOB, System.currentTimeMillis(), BackendHarness.MAX_PARALLELISM, Map.of(),
                List.of(new SnapshotMetadata.OperatorSnapshot("op", 1, List.of(new SnapshotMetadata.SubtaskSnapshot(0, handles.get(0), null)),
                        SerializerSnapshotRef.of(Serializers.LONG))), Map.of());
        Path snapshots = workDir.resolve("snapshots");
        Files.write(snapshots.resolve(SnapshotCatalog.metadataPath(directory)), MetadataCodec.write(md));
        checkpoint = snapshots.resolve(directory);
        long savepointBytes = Stores.bytesUnder(checkpoint);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        require(StateTool.run(new String[]{"get", checkpoint.toString(), "op", Long.toString(keyCount / 2), "--json"},
                new PrintStream(got, true, StandardCharsets.UTF_8), System.err));
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(got.toString(StandardCharsets.UTF_8));
        SIZES.update(p -> p.putAll(Map.of("keys", Long.toString(keyCount), "savepoint.bytes", Long.toString(savepointBytes),
                "get.bytes", json.get("bytes-read").asText(), "get.sections", json.get("sections-read").asText())));
    }

    static final ResultProperties SIZES = new ResultProperties("state-tool-bytes.properties", "bytes a state tool verb read or wrote");

    private static void require(int exit) {
        if (exit != 0) {
            throw new IllegalStateException("cairn state exited with " + exit);
        }
    }

    @Setup(Level.Invocation)
    public void target() {
        output = workDir.resolve("out-" + invocation++);
    }

    @TearDown(Level.Invocation)
    public void recordAndDelete() throws Exception {
        if (Files.exists(output)) {
            String what = Files.exists(output.resolve("value.jsonl")) ? "export.bytes" : "rewrite.bytes";
            long bytes = Stores.bytesUnder(output);
            SIZES.update(p -> p.setProperty(what, Long.toString(bytes)));
            Stores.deleteRecursively(output);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Stores.deleteRecursively(workDir);
    }

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @Benchmark
    public void export() {
        require(StateTool.run(new String[]{"export", checkpoint.toString(), "op", output.toString()}, QUIET, System.err));
    }

    @Benchmark
    public void rewrite() {
        require(StateTool.run(new String[]{"rewrite", checkpoint.toString(), output.toString(), "--max-parallelism", "256"}, QUIET, System.err));
    }
}
