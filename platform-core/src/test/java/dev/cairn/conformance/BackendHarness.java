package dev.cairn.conformance;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.state.KeyedStateFactory;
import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One keyed backend of a subtask (keys are {@code Long}) with the kernel's state layer on top,
 * snapshotting into a real storage, as the runtime uses it.
 */
public final class BackendHarness implements AutoCloseable {

    public static final int MAX_PARALLELISM = 128;
    public static final String JOB = "conformance";

    public final KeyedStateBackend<Long> backend;
    public final KeyedStateFactory<Long> states;
    private final SnapshotStorage storage;
    private final KeyGroupRange range;

    public BackendHarness(StateBackend plugin, SnapshotStorage storage, KeyGroupRange range, Path workDir, AtomicLong clock,
                          RestoreContext restore) throws Exception {
        this.storage = storage;
        this.range = range;
        ClassLoader cl = BackendHarness.class.getClassLoader();
        this.backend = plugin.createKeyedBackend(new KeyedBackendParameters<>(JOB, "op", range.start(), Serializers.LONG, range,
                MAX_PARALLELISM, workDir, Map.of(), cl, restore));
        this.states = new KeyedStateFactory<>(backend, new SerializerResolver(cl), clock::get, "op");
    }

    public void key(long key) {
        backend.setCurrentKey(key);
    }

    /** Runs only the synchronous part; call {@link AsyncSnapshot#write()} later. */
    public AsyncSnapshot startSnapshot(long checkpointId, boolean incremental) throws Exception {
        String dir = JOB + "/chk-" + checkpointId + "/op/" + range.start();
        StorageSnapshotStreams streams = new StorageSnapshotStreams(storage, JOB, dir, JOB + "/shared/op/" + range.start(), 0);
        return backend.snapshot(new SnapshotRequest(checkpointId, false, incremental, streams));
    }

    public KeyedStateHandle snapshot(long checkpointId, boolean incremental) throws Exception {
        KeyedStateHandle handle = startSnapshot(checkpointId, incremental).write();
        backend.notifyCheckpointComplete(checkpointId);
        return handle;
    }

    /** A restore context reading {@code handles} (paths relative to the job directory). */
    public static RestoreContext restoreFrom(SnapshotStorage storage, List<KeyedStateHandle> handles, boolean baseReusable) {
        SnapshotMetadata md = new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, 1, SnapshotKind.CHECKPOINT, null, "full",
                "test", JOB, 0, MAX_PARALLELISM, Map.of(), List.of(), Map.of());
        return new RestoreContext(handles, new StorageSnapshotReader(storage, new CompletedSnapshot(JOB + "/chk-1", JOB, md)), baseReusable);
    }

    @Override
    public void close() {
        backend.close();
    }
}
