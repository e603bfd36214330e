package dev.cairn.conformance;

import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.snapshot.FullFormat;
import dev.cairn.core.internal.snapshot.LayoutSectionWriter;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSectionWriter;
import dev.cairn.spi.storage.SnapshotStorage;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes between checkpoints into the harness's storage, as the kernel does: shared files under
 * the job directory, ids far above the tests' checkpoint ids. Nothing is deleted on release (the
 * tests restore old handles long after); releases are recorded for tests that check them.
 */
public final class HarnessBackgroundSnapshots implements BackgroundSnapshots {
    private static final AtomicLong IDS = new AtomicLong(1_000_000_000L);

    private final SnapshotStorage storage;
    private final String sharedDirectory;
    public final List<FileRef> released = new CopyOnWriteArrayList<>();

    HarnessBackgroundSnapshots(SnapshotStorage storage, String sharedDirectory) {
        this.storage = storage;
        this.sharedDirectory = sharedDirectory;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public SnapshotStreams streams() {
        return new StorageSnapshotStreams(storage, BackendHarness.JOB, sharedDirectory, sharedDirectory, 0).allShared();
    }

    @Override
    public long nextId() {
        return IDS.incrementAndGet();
    }

    @Override
    public KeyGroupSectionWriter sectionWriter() {
        return new LayoutSectionWriter(FullFormat.INSTANCE);
    }

    @Override
    public void release(Collection<FileRef> files) {
        released.addAll(files);
    }
}
