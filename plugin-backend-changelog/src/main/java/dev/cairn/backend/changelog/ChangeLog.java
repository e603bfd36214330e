package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One subtask's log. Changes gather per key group on the task thread and leave in batches,
 * uploaded while the task goes on ({@link GroupedUploads}: the batches of a job's subtasks
 * waiting at the same time share a file, a section per key group). A checkpoint cuts the log
 * (what gathered becomes a batch) and references every batch since the last materialisation; a
 * materialisation lets the batches before it go. Gathered and uploading bytes are bounded: past
 * the bound a state write waits for uploads.
 */
final class ChangeLog {
    /** A batch of the log: its sequence number and its upload. */
    record Batch(long seq, int bytes, CompletableFuture<Uploaded> upload) {
    }

    /** Where a batch's sections lie once uploaded. */
    record Uploaded(List<KeyGroupSection> sections, FileRef file) {
    }

    private final KeyGroupRange range;
    private final ChangelogSettings settings;
    private final GroupedUploads uploads;
    private final LocalLogCopies local;
    private final BackgroundSnapshots background;
    private final String name;
    private final List<String> stateNames;
    private ByteArrayDataOutput[] gathering;
    private int gatheredBytes;
    private long firstGatheredNanos;
    private long nextSeq = 1;
    private final List<Batch> batches = new ArrayList<>();
    private final Object uploaded = new Object();
    private long heldBytes; // gathered plus uploading, guarded by `uploaded`
    private volatile boolean broken;

    /**
     * @param stateNames the backend's states in registration order, which records name by index;
     *                   it only grows, and is read on the task thread only
     */
    ChangeLog(KeyGroupRange range, ChangelogSettings settings, GroupedUploads uploads, BackgroundSnapshots background, String name,
              List<String> stateNames, LocalLogCopies local) {
        this.local = local;
        this.range = range;
        this.settings = settings;
        this.uploads = uploads;
        this.background = background;
        this.name = name;
        this.stateNames = stateNames;
        this.gathering = new ByteArrayDataOutput[range.size()];
    }

    /** The buffer a record of {@code keyGroup} is appended to; {@link #appended} follows. */
    ByteArrayDataOutput begin(int keyGroup) {
        int local = keyGroup - range.start();
        ByteArrayDataOutput out = gathering[local];
        if (out == null) {
            out = new ByteArrayDataOutput(256);
            gathering[local] = out;
        }
        if (gatheredBytes == 0) {
            firstGatheredNanos = System.nanoTime();
        }
        return out;
    }

    /** A record of {@code length} bytes was appended: uploads a full batch, and waits while too much is held. */
    void appended(int length) {
        gatheredBytes += length;
        synchronized (uploaded) {
            heldBytes += length;
        }
        if (gatheredBytes >= settings.uploadBatchBytes()
                || System.nanoTime() - firstGatheredNanos >= settings.uploadDelay().toNanos()) {
            cut();
        }
        awaitRoom();
    }

    private void awaitRoom() {
        synchronized (uploaded) {
            while (heldBytes > settings.memoryLimitBytes()) {
                try {
                    uploaded.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(new InterruptedIOException("Interrupted while the changelog of " + name
                            + " waited for uploads to make room"));
                }
            }
        }
    }

    /** Makes what gathered a batch and starts its upload; returns every batch since the last truncation. */
    List<Batch> cut() {
        if (gatheredBytes > 0) {
            ByteArrayDataOutput[] full = gathering;
            gathering = new ByteArrayDataOutput[range.size()];
            int bytes = gatheredBytes;
            gatheredBytes = 0;
            List<String> names = List.copyOf(stateNames);
            long seq = nextSeq++;
            CompletableFuture<Uploaded> upload = new CompletableFuture<>();
            uploads.submit(new GroupedUploads.Batch(this, background, range.start(), full, names, name + " (batch " + seq + ")", upload,
                    () -> uploadFinished(bytes, upload), local));
            batches.add(new Batch(seq, bytes, upload));
        }
        return List.copyOf(batches);
    }

    /** Bytes of the batches since the last truncation, and of what is gathering. */
    long bytes() {
        long n = gatheredBytes;
        for (Batch b : batches) {
            n += b.bytes();
        }
        return n;
    }

    /** The sequence number of the last batch cut (0 before any). */
    long lastSeq() {
        return nextSeq - 1;
    }

    /** Drops the batches up to {@code seq} (a materialisation holds their changes); returns them. */
    List<Batch> truncateThrough(long seq) {
        List<Batch> dropped = new ArrayList<>();
        batches.removeIf(b -> {
            if (b.seq() <= seq) {
                dropped.add(b);
                return true;
            }
            return false;
        });
        return dropped;
    }

    /** Waits for the uploads still running: their files must not be written after the subtask ended. */
    void close() {
        synchronized (uploaded) {
            while (heldBytes > gatheredBytes) {
                try {
                    uploaded.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** True once an upload failed for good: the log misses changes until the next materialisation replaces it. */
    boolean broken() {
        return broken;
    }

    /** A materialisation holds everything up to now: the log is whole again. */
    void repaired() {
        broken = false;
    }

    private void uploadFinished(int bytes, CompletableFuture<Uploaded> upload) {
        if (upload.isCompletedExceptionally()) {
            broken = true;
        }
        synchronized (uploaded) {
            heldBytes -= bytes;
            uploaded.notifyAll();
        }
    }

    /** Whether every batch still in the log finished uploading (or failed). */
    boolean uploadsSettled() {
        return batches.stream().allMatch(b -> b.upload().isDone());
    }

    /** The files the batches still in the log were uploaded to. */
    java.util.Set<String> filesInUse() {
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (Batch b : batches) {
            if (b.upload().isDone() && !b.upload().isCompletedExceptionally()) {
                paths.add(b.upload().join().file().path());
            }
        }
        return paths;
    }

    /** These files are no longer referenced by this subtask's log or base. */
    void release(List<FileRef> files) {
        local.released(files);
        uploads.release(this, files, background);
    }
}
