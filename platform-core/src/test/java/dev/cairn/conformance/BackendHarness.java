package dev.cairn.conformance;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.snapshot.FullFormat;
import dev.cairn.core.internal.snapshot.KeyGroupSnapshotWriter;
import dev.cairn.core.internal.snapshot.LayoutSectionWriter;
import dev.cairn.core.internal.snapshot.SectionsRestoreContext;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.core.internal.state.KeyedStateFactory;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One keyed backend of a subtask (keys are {@code Long}) with the kernel's state layer on top,
 * snapshotting into a real storage, as the runtime uses it.
 */
public final class BackendHarness implements AutoCloseable {

    public static final int MAX_PARALLELISM = 128;
    public static final String JOB = "conformance";
    /** The formats on the test class path (the kernel's own, and plugins found by ServiceLoader). */
    public static final SnapshotFormats FORMATS = classPathFormats();

    public final KeyedStateBackend<Long> backend;
    public final KeyedStateFactory<Long> states;
    private final StateBackend plugin;
    private final SnapshotStorage storage;
    private final KeyGroupRange range;
    /** Where the backend writes between checkpoints. */
    public final HarnessBackgroundSnapshots background;

    public BackendHarness(StateBackend plugin, SnapshotStorage storage, KeyGroupRange range, Path workDir, AtomicLong clock,
                          RestoreContext restore) throws Exception {
        this(plugin, storage, range, MAX_PARALLELISM, workDir, clock, restore);
    }

    public BackendHarness(StateBackend plugin, SnapshotStorage storage, KeyGroupRange range, int maxParallelism, Path workDir,
                          AtomicLong clock, RestoreContext restore) throws Exception {
        this(plugin, storage, range, maxParallelism, workDir, clock, restore, BackendHarness.class.getClassLoader());
    }

    /** A subtask whose job's classes come from {@code cl}. */
    public BackendHarness(StateBackend plugin, SnapshotStorage storage, KeyGroupRange range, int maxParallelism, Path workDir,
                          AtomicLong clock, RestoreContext restore, ClassLoader cl) throws Exception {
        this.plugin = plugin;
        this.storage = storage;
        this.range = range;
        this.background = new HarnessBackgroundSnapshots(storage, JOB + "/shared/op/" + range.start());
        this.backend = plugin.createKeyedBackend(new KeyedBackendParameters<>(JOB, "op", range.start(), Serializers.LONG, range,
                maxParallelism, workDir, Map.of(), cl, restore, background));
        this.states = new KeyedStateFactory<>(backend, new SerializerResolver(cl), clock::get, "op");
    }

    public void key(long key) {
        backend.setCurrentKey(key);
    }

    /**
     * Runs only the synchronous part; call {@link AsyncSnapshot#write()} later. Incremental means
     * the backend's native snapshot (where it has one); otherwise the kernel writes a full one.
     */
    public AsyncSnapshot startSnapshot(long checkpointId, boolean incremental) throws Exception {
        StorageSnapshotStreams streams = streams(checkpointId);
        if (incremental && plugin.supportsIncremental()) {
            return backend.snapshot(new SnapshotRequest(checkpointId, false, streams, new LayoutSectionWriter(FullFormat.INSTANCE)));
        }
        return startSnapshot(checkpointId, FullFormat.INSTANCE);
    }

    /** The synchronous part of a savepoint in the backend's native format. */
    public AsyncSnapshot startNativeSavepoint(long checkpointId) throws Exception {
        return backend.snapshot(new SnapshotRequest(checkpointId, true, streams(checkpointId), new LayoutSectionWriter(FullFormat.INSTANCE)));
    }

    /** The synchronous part of a snapshot the kernel writes in {@code format} from the backend's entries. */
    public AsyncSnapshot startSnapshot(long checkpointId, SnapshotFormat format) throws Exception {
        StorageSnapshotStreams streams = streams(checkpointId);
        KeyGroupEntries entries = backend.captureEntries();
        return () -> KeyGroupSnapshotWriter.write(entries, entries.keyGroupRange(), format, streams);
    }

    private StorageSnapshotStreams streams(long checkpointId) {
        String dir = JOB + "/chk-" + checkpointId + "/op/" + range.start();
        return new StorageSnapshotStreams(storage, JOB, dir, JOB + "/shared/op/" + range.start(), 0);
    }

    public KeyedStateHandle snapshot(long checkpointId, boolean incremental) throws Exception {
        KeyedStateHandle handle = startSnapshot(checkpointId, incremental).write();
        backend.notifyCheckpointComplete(checkpointId);
        return handle;
    }

    public KeyedStateHandle snapshot(long checkpointId, SnapshotFormat format) throws Exception {
        return startSnapshot(checkpointId, format).write();
    }

    /** A reader of snapshot files in {@code storage} (paths relative to the job directory). */
    public static SnapshotReader reader(SnapshotStorage storage) {
        SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full",
                "test", JOB, 0, MAX_PARALLELISM, Map.of(), List.of(), Map.of());
        return new StorageSnapshotReader(storage, new CompletedSnapshot(JOB + "/chk-1", JOB, md));
    }

    /** A restore context reading {@code handles} (paths relative to the job directory) into every key group. */
    public static RestoreContext restoreFrom(SnapshotStorage storage, List<KeyedStateHandle> handles, boolean baseReusable) {
        return restoreFrom(handles, reader(storage), baseReusable, new KeyGroupRange(0, MAX_PARALLELISM - 1), MAX_PARALLELISM, MAX_PARALLELISM);
    }

    /**
     * A restore context as the kernel builds it for key groups {@code range} of a job with
     * {@code maxParallelism}, from a snapshot taken with {@code snapshotMaxParallelism}.
     */
    public static RestoreContext restoreFrom(List<KeyedStateHandle> handles, SnapshotReader reader, boolean baseReusable, KeyGroupRange range,
                                             int maxParallelism, int snapshotMaxParallelism) {
        return new SectionsRestoreContext(handles, reader, baseReusable, range, maxParallelism, snapshotMaxParallelism, Serializers.LONG, FORMATS);
    }

    private static SnapshotFormats classPathFormats() {
        Map<String, SnapshotFormat> found = new TreeMap<>();
        ServiceLoader.load(SnapshotFormat.class, BackendHarness.class.getClassLoader()).forEach(f -> found.put(f.name(), f));
        return new SnapshotFormats(name -> Optional.ofNullable(found.get(name)), found::keySet);
    }

    @Override
    public void close() {
        backend.close();
    }
}
