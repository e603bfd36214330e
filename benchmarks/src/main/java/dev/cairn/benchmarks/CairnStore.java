package dev.cairn.benchmarks;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.format.canonical.CanonicalFormat;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Cairn's keyed state through the kernel's state layer, as a running task uses it. */
final class CairnStore implements StateStore {

    private final StateBackend plugin;
    private final LocalFileStorage storage;
    private final BackendHarness harness;
    private final ValueState<String> value;
    private final MapState<String, String> map;
    private final ListState<String> list;

    private final KeyGroupRange range;
    private CanonicalFormat canonical = new CanonicalFormat(true);

    private CairnStore(StateBackend plugin, Path workDir, RestoreContext restore, LocalFileStorage storage, KeyGroupRange range) throws Exception {
        this.plugin = plugin;
        this.storage = storage;
        this.range = range;
        this.harness = new BackendHarness(plugin, storage, range, workDir.resolve("work-" + range.start()), new AtomicLong(), restore);
        this.value = harness.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
        this.map = harness.states.getState(new MapStateDescriptor<>("map", Serializers.STRING, Serializers.STRING));
        this.list = harness.states.getState(new ListStateDescriptor<>("list", Serializers.STRING));
    }

    static CairnStore heap(Path workDir, int index, int parallelism) throws Exception {
        return new CairnStore(new HeapStateBackend(), workDir, RestoreContext.NONE, new LocalFileStorage(workDir.resolve("snapshots")),
                KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, parallelism, index));
    }

    /** RocksDB with the plugin's defaults: a 256 MiB block cache with 64 MiB of write buffers charged to it. */
    static CairnStore rocksDb(Path workDir, int index, int parallelism) throws Exception {
        return new CairnStore(new dev.cairn.backend.rocksdb.RocksDBStateBackend(Map.of()), workDir, RestoreContext.NONE,
                new LocalFileStorage(workDir.resolve("snapshots")), KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, parallelism, index));
    }

    /** Off-heap state in Chronicle Map files under {@code workDir}. */
    static CairnStore offHeap(Path workDir, int index, int parallelism) throws Exception {
        return new CairnStore(new dev.cairn.backend.offheap.OffHeapStateBackend(), workDir, RestoreContext.NONE,
                new LocalFileStorage(workDir.resolve("snapshots")), KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, parallelism, index));
    }

    /** Canonical savepoints with sections stored plain rather than LZ4-compressed. */
    CairnStore uncompressed() {
        canonical = new CanonicalFormat(false);
        return this;
    }

    @Override
    public boolean owns(long key) {
        return range.contains(KeyGroups.keyGroupFor(key, BackendHarness.MAX_PARALLELISM));
    }

    @Override
    public void setKey(long key) {
        harness.key(key);
    }

    @Override
    public String valueGet() throws Exception {
        return value.value();
    }

    @Override
    public void valueUpdate(String v) throws Exception {
        value.update(v);
    }

    @Override
    public void mapPut(String k, String v) throws Exception {
        map.put(k, v);
    }

    @Override
    public String mapGet(String k) throws Exception {
        return map.get(k);
    }

    @Override
    public int mapIterate() throws Exception {
        int n = 0;
        for (Map.Entry<String, String> e : map.entries()) {
            n += e.getValue().length() > 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public void listAdd(String v) throws Exception {
        list.add(v);
    }

    @Override
    public int listGet() throws Exception {
        int n = 0;
        for (String s : list.get()) {
            n += s.length() > 0 ? 1 : 0;
        }
        return n;
    }

    private record Done(List<KeyedStateHandle> handles) implements PendingSnapshot.Done {
    }

    /** The handles a completed snapshot of a Cairn store wrote. */
    static List<KeyedStateHandle> handles(PendingSnapshot.Done done) {
        return ((Done) done).handles();
    }

    @Override
    public PendingSnapshot snapshot(long checkpointId, boolean incremental) throws Exception {
        AsyncSnapshot async = harness.startSnapshot(checkpointId, incremental);
        return () -> {
            KeyedStateHandle handle = async.write();
            harness.backend.notifyCheckpointComplete(checkpointId);
            return new Done(List.of(handle));
        };
    }

    @Override
    public PendingSnapshot savepoint(long checkpointId, SavepointFormat format) throws Exception {
        AsyncSnapshot async = format == SavepointFormat.NATIVE ? harness.startNativeSavepoint(checkpointId)
                : harness.startSnapshot(checkpointId, canonical);
        return () -> new Done(List.of(async.write()));
    }

    @Override
    public StateStore restore(Path workDir, List<PendingSnapshot.Done> snapshots, int index, int parallelism) throws Exception {
        List<KeyedStateHandle> handles = snapshots.stream().flatMap(d -> ((Done) d).handles().stream()).toList();
        KeyGroupRange range = KeyGroups.rangeForSubtask(BackendHarness.MAX_PARALLELISM, parallelism, index);
        RestoreContext restore = BackendHarness.restoreFrom(handles, BackendHarness.reader(storage), false, range,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM);
        return new CairnStore(plugin, workDir, restore, storage, range);
    }

    @Override
    public void close() {
        harness.close();
    }
}
