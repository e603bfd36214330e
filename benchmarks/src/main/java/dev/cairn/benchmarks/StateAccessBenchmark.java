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

/**
 * State operations per second on 1M keys, each operation setting the current key first as a
 * task does per record. Map state: 8 entries on each of a tenth of the keys; list state: 4
 * elements on each of a tenth of the keys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch", "--add-opens=java.base/java.util=ALL-UNNAMED"})
public class StateAccessBenchmark {

    private static final int ENTRIES_PER_MAP = 8;
    private static final int ELEMENTS_PER_LIST = 4;

    @Param({Stores.CAIRN_HEAP, Stores.FLINK_HASHMAP, Stores.JDK_HASHMAP})
    public String store;

    @Param({"uniform", "zipf"})
    public String keys;

    @Param({"1000000"})
    public int keyCount;

    private StateStore state;
    private KeyStream stream;
    private String[] values;
    private String[] userKeys;
    private int collectionKeys;
    private int userKey;
    private Path workDir;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workDir = Files.createTempDirectory("cairn-bench-");
        state = Stores.create(store, workDir);
        stream = new KeyStream(keys, keyCount, 42);
        values = new String[keyCount];
        for (int k = 0; k < keyCount; k++) {
            values[k] = Stores.value(k);
            state.setKey(k);
            state.valueUpdate(values[k]);
        }
        userKeys = new String[ENTRIES_PER_MAP];
        for (int j = 0; j < ENTRIES_PER_MAP; j++) {
            userKeys[j] = "field-" + j;
        }
        collectionKeys = keyCount / 10;
        for (int k = 0; k < collectionKeys; k++) {
            state.setKey(k);
            for (int j = 0; j < ENTRIES_PER_MAP; j++) {
                state.mapPut(userKeys[j], values[k]);
            }
            for (int j = 0; j < ELEMENTS_PER_LIST; j++) {
                state.listAdd(values[k]);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        state.close();
        Stores.deleteRecursively(workDir);
    }

    private long collectionKey() {
        return stream.next() % collectionKeys;
    }

    @Benchmark
    public String valueGet() throws Exception {
        state.setKey(stream.next());
        return state.valueGet();
    }

    /** Writes back the object the key holds, as a job that changes its value in place (an accumulator) does. */
    @Benchmark
    public void valueUpdate() throws Exception {
        long k = stream.next();
        state.setKey(k);
        state.valueUpdate(values[(int) k]);
    }

    /** Writes a new object, as a job whose values are immutable (a count, a string) does. */
    @Benchmark
    public void valueUpdateNew() throws Exception {
        long k = stream.next();
        state.setKey(k);
        state.valueUpdate(new String(values[(int) k]));
    }

    @Benchmark
    public void mapPut() throws Exception {
        long k = collectionKey();
        state.setKey(k);
        state.mapPut(userKeys[userKey++ & (ENTRIES_PER_MAP - 1)], values[(int) k]);
    }

    @Benchmark
    public String mapGet() throws Exception {
        state.setKey(collectionKey());
        return state.mapGet(userKeys[userKey++ & (ENTRIES_PER_MAP - 1)]);
    }

    @Benchmark
    public int mapIterate() throws Exception {
        state.setKey(collectionKey());
        return state.mapIterate();
    }

    @Benchmark
    public void listAdd() throws Exception {
        long k = collectionKey();
        state.setKey(k);
        state.listAdd(values[(int) k]);
    }

    @Benchmark
    public int listGet() throws Exception {
        state.setKey(collectionKey());
        return state.listGet();
    }
}
