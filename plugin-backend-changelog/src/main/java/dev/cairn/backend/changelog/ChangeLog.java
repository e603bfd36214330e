package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One subtask's log. Changes gather per key group on the task thread and leave in batches: a
 * batch is one file with a section per key group, uploaded on the changelog's pool while the
 * task goes on. A checkpoint cuts the log (what gathered becomes a batch) and references every
 * batch since the last materialisation; a materialisation lets the batches before it go.
 * Gathered and uploading bytes are bounded: past the bound a state write waits for uploads.
 */
final class ChangeLog {
    private static final Logger LOG = Logger.getLogger(ChangeLog.class.getName());

    /** A batch of the log: its sequence number and its upload. */
    record Batch(long seq, CompletableFuture<Uploaded> upload) {
    }

    /** Where a batch's sections lie once uploaded. */
    record Uploaded(List<KeyGroupSection> sections, FileRef file) {
    }

    private final KeyGroupRange range;
    private final ChangelogSettings settings;
    private final Executor uploads;
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
    ChangeLog(KeyGroupRange range, ChangelogSettings settings, Executor uploads, BackgroundSnapshots background, String name,
              List<String> stateNames) {
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
            uploads.execute(() -> upload(seq, full, names, bytes, upload));
            batches.add(new Batch(seq, upload));
        }
        return List.copyOf(batches);
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

    private void upload(long seq, ByteArrayDataOutput[] full, List<String> names, int bytes, CompletableFuture<Uploaded> result) {
        IOException last = null;
        try {
            for (int attempt = 0; attempt <= settings.uploadRetries(); attempt++) {
                try {
                    result.complete(write(seq, full, names));
                    return;
                } catch (IOException e) {
                    last = e;
                    LOG.log(Level.FINE, "Upload of changelog batch " + seq + " of " + name + " failed (attempt " + (attempt + 1) + ")", e);
                }
            }
            broken = true;
            LOG.warning("Changelog batch " + seq + " of " + name + " could not be uploaded after " + (settings.uploadRetries() + 1)
                    + " attempts (" + last.getMessage() + "); checkpoints that need it fail until the next materialisation");
            result.completeExceptionally(new IOException("Changelog batch " + seq + " of " + name + " could not be uploaded", last));
        } catch (RuntimeException | Error e) {
            broken = true;
            result.completeExceptionally(e);
        } finally {
            synchronized (uploaded) {
                heldBytes -= bytes;
                uploaded.notifyAll();
            }
        }
    }

    private Uploaded write(long seq, ByteArrayDataOutput[] full, List<String> names) throws IOException {
        ByteArrayDataOutput header = new ByteArrayDataOutput(64);
        ChangeRecords.writeHeader(header, names);
        List<KeyGroupSection> sections = new ArrayList<>();
        SnapshotOutput out = background.streams().createShared("changelog-" + seq);
        try {
            for (int local = 0; local < full.length; local++) {
                ByteArrayDataOutput records = full[local];
                if (records == null || records.length() == 0) {
                    continue;
                }
                out.beginSection();
                out.write(header.buffer(), 0, header.length());
                out.write(records.buffer(), 0, records.length());
                sections.add(out.endSection(range.start() + local));
            }
            return new Uploaded(sections, out.closeAndGetRef());
        } finally {
            out.close(); // after closeAndGetRef a no-op; before it, discards the partial file
        }
    }
}
