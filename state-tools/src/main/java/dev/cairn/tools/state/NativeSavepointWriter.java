package dev.cairn.tools.state;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.core.internal.snapshot.FullFormat;
import dev.cairn.core.internal.snapshot.LayoutSectionWriter;
import dev.cairn.core.internal.snapshot.SectionsRestoreContext;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code convert --format native --backend B}: a savepoint in backend B's own files (for RocksDB,
 * SST files a job opens in place, the fastest restore there is) from a savepoint of key-group
 * sections. Each subtask's key groups are restored into B in a scratch directory, then B takes a
 * native savepoint of them into the new directory, as it does on the platform.
 */
final class NativeSavepointWriter {

    private final OpenedSnapshot opened;
    private final ClassLoader loader;

    NativeSavepointWriter(OpenedSnapshot opened, ClassLoader loader) {
        this.opened = opened;
        this.loader = loader;
    }

    /** Whether every keyed part of the snapshot is key-group sections, which any backend restores. */
    static boolean sectionsOnly(OpenedSnapshot opened) {
        return opened.metadata().operators().stream().flatMap(op -> op.subtasks().stream())
                .allMatch(st -> st.keyedState() == null || st.keyedState() instanceof KeyGroupSectionsHandle);
    }

    SavepointRewriter.Written write(Path target, String backendName) throws ToolException, IOException {
        long start = System.nanoTime();
        StateBackend backend = new ServiceLoaderPluginRegistry(NativeSavepointWriter.class.getClassLoader()).backend(backendName)
                .orElseThrow(() -> new ToolException("--backend " + backendName + " is not on the tool's class path (backends: "
                        + String.join(", ", new ServiceLoaderPluginRegistry(NativeSavepointWriter.class.getClassLoader()).backendNames()) + ")"));
        SnapshotMetadata in = opened.metadata();
        NewSavepoint written = NewSavepoint.at(target, opened);
        try (ScratchDirectory scratch = new ScratchDirectory("cairn-native-")) {
            StorageSnapshotReader reader = new StorageSnapshotReader(opened.storage(), opened.snapshot());
            List<SnapshotMetadata.OperatorSnapshot> operators = new ArrayList<>();
            int opIndex = 0;
            for (SnapshotMetadata.OperatorSnapshot op : in.operators()) {
                opIndex++;
                List<KeyedStateHandle> sections = op.subtasks().stream().map(SnapshotMetadata.SubtaskSnapshot::keyedState)
                        .filter(h -> h != null).toList();
                TypeSerializer<?> keySerializer = sections.isEmpty() ? null
                        : StateDecoder.restore(OperatorKeyedState.operator(opened, op.uid()).keySerializer(), "the key", op.uid(), loader);
                List<SnapshotMetadata.SubtaskSnapshot> subtasks = new ArrayList<>();
                for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                    StorageSnapshotStreams out = written.streams(op.uid(), st.index());
                    KeyedStateHandle handle = st.keyedState() == null ? null
                            : nativeSnapshot(backend, op.uid(), st.index(), st.keyedState().keyGroupRange(), sections, keySerializer, reader,
                            scratch.path().resolve(opIndex + "-" + st.index()), out); // not by uid: metadata names it
                    subtasks.add(new SnapshotMetadata.SubtaskSnapshot(st.index(), handle, copyOperatorState(st.operatorState(), reader, out)));
                }
                operators.add(new SnapshotMetadata.OperatorSnapshot(op.uid(), op.parallelism(), subtasks, op.keySerializer()));
            }
            long bytes = written.commit(in.snapshotId(), "native", backendName, in.jobName(), in.maxParallelism(), in.jobConfig(), operators);
            // what the backend read and how many entries it holds are its own business: not counted
            return new SavepointRewriter.Written(written.directory(), bytes, -1, System.nanoTime() - start, operators.size(), -1);
        } catch (ToolException | IOException | RuntimeException e) {
            written.abandon();
            throw e;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private KeyedStateHandle nativeSnapshot(StateBackend backend, String uid, int subtask, KeyGroupRange range, List<KeyedStateHandle> sections,
                                            TypeSerializer<?> keySerializer, StorageSnapshotReader reader, Path dir, StorageSnapshotStreams out)
            throws ToolException, IOException {
        int maxParallelism = opened.metadata().maxParallelism();
        List<KeyedStateHandle> overlapping = sections.stream().filter(h -> !h.keyGroupRange().intersect(range).isEmpty()).toList();
        SectionsRestoreContext restore = new SectionsRestoreContext(overlapping, reader, false, range, maxParallelism, maxParallelism,
                keySerializer, OperatorKeyedState.installedFormats(loader));
        try (KeyedStateBackend<?> restored = backend.createKeyedBackend(new KeyedBackendParameters(opened.metadata().jobName(), uid, subtask,
                keySerializer, range, maxParallelism, dir, Map.of(), loader, restore))) {
            return restored.snapshot(new SnapshotRequest(opened.metadata().snapshotId(), true, out, new LayoutSectionWriter(FullFormat.INSTANCE)))
                    .write();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("subtask " + subtask + " of operator '" + uid + "' in " + backend.name() + ": " + OpenedSnapshot.firstLine(e), e);
        }
    }

    static OperatorStateHandle copyOperatorState(OperatorStateHandle old, StorageSnapshotReader reader, StorageSnapshotStreams out)
            throws IOException {
        if (old == null) {
            return null;
        }
        byte[] bytes = reader.readFile(old.file()); // checks the file's CRC32C
        try (SnapshotOutput file = out.createOwned("operator-state.bin")) {
            file.write(bytes);
            return new OperatorStateHandle(file.closeAndGetRef(), old.states());
        }
    }
}
