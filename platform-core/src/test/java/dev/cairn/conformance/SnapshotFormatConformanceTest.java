package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.job.NamespacedState;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.StateTtlConfig;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.CorruptSnapshotException;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a snapshot format must do with every backend: state written by any backend in the format
 * restores into every backend (itself included), at another parallelism and at another key-group
 * count, with namespaces, TTL and a migrated serializer; a damaged byte is named with the file and
 * the key group. Extend it with the format and the backends to check it against.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SnapshotFormatConformanceTest {

    private static final int KEYS = 1_500;
    private static final Duration TTL = Duration.ofSeconds(10);

    @TempDir
    protected Path temp;
    private LocalFileStorage storage;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final List<BackendHarness> open = new ArrayList<>();

    protected abstract SnapshotFormat format();

    /** The backends to cross, by name. */
    protected abstract List<StateBackend> backends();

    @BeforeEach
    void openStorage() throws Exception {
        storage = new LocalFileStorage(temp.resolve("storage"));
    }

    @AfterEach
    void closeBackends() {
        open.forEach(BackendHarness::close);
        open.clear();
    }

    Stream<Arguments> pairs() {
        List<Arguments> pairs = new ArrayList<>();
        for (StateBackend from : backends()) {
            for (StateBackend to : backends()) {
                pairs.add(Arguments.of(from.name(), to.name()));
            }
        }
        return pairs.stream();
    }

    private StateBackend backend(String name) {
        return backends().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    private BackendHarness harness(String backend, KeyGroupRange range, int maxParallelism, RestoreContext restore) throws Exception {
        BackendHarness h = new BackendHarness(backend(backend), storage, range, maxParallelism, Files.createTempDirectory(temp, "work"),
                clock, restore);
        open.add(h);
        return h;
    }

    /** The states every round trip carries; {@code version} picks the serializer of the migrated one. */
    private record States(ValueState<String> value, ListState<Long> list, MapState<String, Long> map,
                          NamespacedState<String, ValueState<Long>> windows, ValueState<String> expiring, ValueState<String> evolving) {

        static States register(BackendHarness h, int version) throws Exception {
            ValueStateDescriptor<String> expiring = new ValueStateDescriptor<>("expiring", Serializers.STRING);
            expiring.enableTimeToLive(StateTtlConfig.newBuilder(TTL).cleanupFullSnapshot().build());
            return new States(h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING)),
                    h.states.getState(new ListStateDescriptor<>("list", Serializers.LONG)),
                    h.states.getState(new MapStateDescriptor<>("map", Serializers.STRING, Serializers.LONG)),
                    h.states.getNamespacedState(Serializers.STRING, new ValueStateDescriptor<>("per-window", Serializers.LONG)),
                    h.states.getState(expiring),
                    h.states.getState(new ValueStateDescriptor<>("evolving", new EvolvingStringSerializer(version))));
        }
    }

    /** Fills every state of a source backend; the even keys' expiring values are older than the TTL when the snapshot is taken. */
    private KeyedStateHandle writeSource(String backend) throws Exception {
        BackendHarness source = harness(backend, new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1), BackendHarness.MAX_PARALLELISM,
                RestoreContext.NONE);
        States s = States.register(source, 1);
        for (long k = 0; k < KEYS; k += 2) {
            source.key(k);
            s.expiring().update("old-" + k);
        }
        clock.addAndGet(TTL.toMillis() / 2 + 1);
        for (long k = 0; k < KEYS; k++) {
            source.key(k);
            s.value().update("v" + k);
            s.list().add(k);
            s.list().add(-k);
            s.map().put("a" + k, k);
            s.map().put("b" + k, 2 * k);
            s.windows().in("w1").update(k);
            s.windows().in("w2").update(10 * k);
            s.evolving().update("name-" + k);
            if (k % 2 == 1) {
                s.expiring().update("young-" + k);
            }
        }
        clock.addAndGet(TTL.toMillis() / 2 + 1); // the even keys' values expire, the odd keys' do not
        return source.snapshot(1, format());
    }

    private static void assertKey(BackendHarness h, States s, long k) throws Exception {
        h.key(k);
        assertThat(s.value().value()).as("value of key %s", k).isEqualTo("v" + k);
        assertThat(s.list().get()).as("list of key %s", k).containsExactly(k, -k);
        assertThat(s.map().get("a" + k)).isEqualTo(k);
        assertThat(s.map().get("b" + k)).isEqualTo(2 * k);
        assertThat(s.windows().in("w1").value()).isEqualTo(k);
        assertThat(s.windows().in("w2").value()).isEqualTo(10 * k);
        assertThat(s.evolving().value()).as("migrated value of key %s", k).isEqualTo("name-" + k);
        assertThat(s.expiring().value()).as("value with TTL of key %s", k).isEqualTo(k % 2 == 1 ? "young-" + k : null);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void everyStateRestoresIntoEveryBackendAtAnotherParallelism(String from, String to) throws Exception {
        KeyedStateHandle handle = writeSource(from);
        assertThat(handle).isInstanceOfSatisfying(KeyGroupSectionsHandle.class, h -> assertThat(h.format()).isEqualTo(format().name()));
        int restoredKeys = 0;
        for (int i = 0; i < 2; i++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, 2, i);
            BackendHarness target = harness(to, range, BackendHarness.MAX_PARALLELISM, BackendHarness.restoreFrom(List.of(handle),
                    BackendHarness.reader(storage), false, range, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM));
            States s = States.register(target, 2);
            for (long k = 0; k < KEYS; k++) {
                if (range.contains(KeyGroups.keyGroupFor(k, BackendHarness.MAX_PARALLELISM))) {
                    assertKey(target, s, k);
                    restoredKeys++;
                }
            }
        }
        assertThat(restoredKeys).isEqualTo(KEYS);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void everyStateRestoresIntoEveryBackendAtAnotherKeyGroupCount(String from, String to) throws Exception {
        KeyedStateHandle handle = writeSource(from);
        int maxParallelism = 256;
        for (int i = 0; i < 3; i++) {
            KeyGroupRange range = KeyGroups.rangeForSubtask(maxParallelism, 3, i);
            BackendHarness target = harness(to, range, maxParallelism, BackendHarness.restoreFrom(List.of(handle),
                    BackendHarness.reader(storage), false, range, maxParallelism, BackendHarness.MAX_PARALLELISM));
            States s = States.register(target, 2);
            for (long k = 0; k < KEYS; k++) {
                if (range.contains(KeyGroups.keyGroupFor(k, maxParallelism))) {
                    assertKey(target, s, k);
                }
            }
        }
    }

    @Test
    void aFlippedByteIsNamedWithTheFileAndTheKeyGroup() throws Exception {
        String backend = backends().get(0).name();
        KeyGroupSectionsHandle handle = (KeyGroupSectionsHandle) writeSource(backend);
        KeyGroupSection damaged = handle.sections().get(handle.sections().size() / 2);
        Path onDisk = temp.resolve("storage").resolve(BackendHarness.JOB).resolve(damaged.path());
        try (RandomAccessFile raf = new RandomAccessFile(onDisk.toFile(), "rw")) {
            long at = damaged.offset() + damaged.length() / 2;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
        KeyGroupRange all = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
        assertThatThrownBy(() -> harness(backend, all, BackendHarness.MAX_PARALLELISM, BackendHarness.restoreFrom(List.of(handle),
                BackendHarness.reader(storage), false, all, BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM)))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(damaged.path())
                .hasMessageContaining("key group " + damaged.keyGroup())
                .hasMessageContaining("CRC32C");
    }
}
