package dev.cairn.core.internal.task;

import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.checkpoint.JobSnapshots;
import dev.cairn.core.internal.snapshot.FullFormat;
import dev.cairn.core.internal.snapshot.LayoutSectionWriter;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSectionWriter;
import dev.cairn.spi.storage.StoragePaths;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one subtask's keyed backend writes between checkpoints: objects in the subtask's shared
 * directory, held by the job's snapshots from before they exist until the backend releases them
 * or the attempt ends, so that no sweep or retention deletes a file a coming checkpoint needs.
 */
final class SubtaskBackgroundSnapshots implements BackgroundSnapshots {
    private final JobSnapshots snapshots;
    private final String sharedDirectory;
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    SubtaskBackgroundSnapshots(JobSnapshots snapshots, String uid, int subtask) {
        this.snapshots = snapshots;
        this.sharedDirectory = snapshots.catalog().sharedDirectory(uid, subtask);
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public SnapshotStreams streams() {
        return new StorageSnapshotStreams(snapshots.catalog().storage(), snapshots.catalog().jobDirectory(), sharedDirectory,
                sharedDirectory, 0, path -> {
                    held.add(path);
                    snapshots.hold(path);
                }).allShared();
    }

    @Override
    public long nextId() {
        return snapshots.nextId();
    }

    @Override
    public KeyGroupSectionWriter sectionWriter() {
        return new LayoutSectionWriter(FullFormat.INSTANCE);
    }

    @Override
    public void release(Collection<FileRef> files) {
        List<String> paths = files.stream().map(f -> StoragePaths.join(snapshots.catalog().jobDirectory(), f.path())).toList();
        held.removeAll(paths);
        snapshots.release(paths);
    }

    /** The attempt ended: what is still held is deleted unless a listed snapshot references it. */
    void releaseAll() {
        List<String> paths = List.copyOf(held);
        held.removeAll(paths);
        snapshots.release(paths);
    }
}
