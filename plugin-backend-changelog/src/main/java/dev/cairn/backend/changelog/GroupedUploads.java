package dev.cairn.backend.changelog;

import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Uploads the log batches of every subtask of one job run in this process together: the batches
 * waiting when an upload starts go into one file, a section per subtask and key group, so that
 * the number of objects follows the upload rate rather than the number of subtasks (Flink's
 * changelog groups per TaskManager for the same reason). A file several subtasks have sections
 * in is released to the kernel once the last of them released it.
 */
final class GroupedUploads {
    private static final Logger LOG = Logger.getLogger(GroupedUploads.class.getName());

    /** One subtask's batch: its records per key group (index = key group - first), the state names they use. */
    record Batch(Object owner, BackgroundSnapshots background, int firstKeyGroup, ByteArrayDataOutput[] records, List<String> names,
                 String description, CompletableFuture<ChangeLog.Uploaded> result, Runnable finished, LocalLogCopies local) {
    }

    /** A grouped file and the subtasks that still reference it, with the storage it was created through. */
    private record Use(Set<Object> owners, BackgroundSnapshots creator) {
    }

    private final Executor pool;
    private final int retries;
    private final List<Batch> queue = new ArrayList<>();
    private boolean draining;
    private final Map<String, Use> uses = new HashMap<>();
    private long files;

    GroupedUploads(Executor pool, int retries) {
        this.pool = pool;
        this.retries = retries;
    }

    void submit(Batch batch) {
        synchronized (queue) {
            queue.add(batch);
            if (draining) {
                return;
            }
            draining = true;
        }
        pool.execute(this::drain);
    }

    /** Uploads what is queued, one file per round, until the queue is empty. */
    private void drain() {
        while (true) {
            List<Batch> group;
            synchronized (queue) {
                if (queue.isEmpty()) {
                    draining = false;
                    return;
                }
                group = new ArrayList<>(queue);
                queue.clear();
            }
            upload(group);
        }
    }

    private void upload(List<Batch> group) {
        IOException last = null;
        try {
            for (int attempt = 0; attempt <= retries; attempt++) {
                try {
                    Map<Batch, Written> written = write(group);
                    written.forEach((b, w) -> b.result().complete(w.uploaded()));
                    // after the checkpoints waiting for it go on; a restore that finds no copy reads storage
                    written.forEach((b, w) -> {
                        if (b.local() != null) {
                            b.local().keep(w.uploaded().sections(), w.bytes().buffer(), w.bytes().length());
                        }
                    });
                    return;
                } catch (IOException e) {
                    last = e;
                    LOG.log(Level.FINE, "A changelog upload of " + group.size() + " batches failed (attempt " + (attempt + 1) + ")", e);
                }
            }
            IOException cause = last;
            LOG.warning("A changelog upload could not be written after " + (retries + 1) + " attempts (" + cause.getMessage()
                    + "); checkpoints that need it fail until the next materialisation");
            group.forEach(b -> b.result().completeExceptionally(new IOException("The changelog of " + b.description()
                    + " could not be uploaded", cause)));
        } catch (RuntimeException | Error e) {
            group.forEach(b -> b.result().completeExceptionally(e));
        } finally {
            group.forEach(b -> b.finished().run());
        }
    }

    /** A batch's part of an upload: where its sections lie, and their bytes (consecutive in the file) for the local copy. */
    private record Written(ChangeLog.Uploaded uploaded, ByteArrayDataOutput bytes) {
    }

    private Map<Batch, Written> write(List<Batch> group) throws IOException {
        BackgroundSnapshots creator = group.get(0).background();
        Map<Batch, List<KeyGroupSection>> sections = new HashMap<>();
        Map<Batch, ByteArrayDataOutput> contents = new HashMap<>();
        SnapshotOutput out = creator.streams().createShared("changelog-" + nextFileNumber());
        try {
            for (Batch b : group) {
                ByteArrayDataOutput header = new ByteArrayDataOutput(64);
                ChangeRecords.writeHeader(header, b.names());
                ByteArrayDataOutput mine = new ByteArrayDataOutput(b.local() == null ? 0 : 4096);
                List<KeyGroupSection> own = new ArrayList<>();
                for (int local = 0; local < b.records().length; local++) {
                    ByteArrayDataOutput records = b.records()[local];
                    if (records == null || records.length() == 0) {
                        continue;
                    }
                    out.beginSection();
                    out.write(header.buffer(), 0, header.length());
                    out.write(records.buffer(), 0, records.length());
                    own.add(out.endSection(b.firstKeyGroup() + local));
                    if (b.local() != null) {
                        mine.write(header.buffer(), 0, header.length());
                        mine.write(records.buffer(), 0, records.length());
                    }
                }
                sections.put(b, own);
                contents.put(b, mine);
            }
            FileRef file = out.closeAndGetRef();
            Set<Object> owners = new HashSet<>();
            group.forEach(b -> owners.add(b.owner()));
            synchronized (uses) {
                uses.put(file.path(), new Use(owners, creator));
            }
            Map<Batch, Written> result = new HashMap<>();
            sections.forEach((b, s) -> result.put(b, new Written(new ChangeLog.Uploaded(s, file), contents.get(b))));
            return result;
        } finally {
            out.close(); // after closeAndGetRef a no-op; before it, discards the partial file
        }
    }

    private synchronized long nextFileNumber() {
        return ++files;
    }

    /**
     * {@code owner} no longer references these files: each goes to the kernel once no subtask
     * references it; a file this run did not write (a restored one) goes through {@code own}.
     */
    void release(Object owner, List<FileRef> released, BackgroundSnapshots own) {
        List<FileRef> direct = new ArrayList<>();
        Map<BackgroundSnapshots, List<FileRef>> unused = new HashMap<>();
        synchronized (uses) {
            for (FileRef f : released) {
                Use use = uses.get(f.path());
                if (use == null) {
                    direct.add(f);
                } else if (use.owners().remove(owner) && use.owners().isEmpty()) {
                    uses.remove(f.path());
                    unused.computeIfAbsent(use.creator(), c -> new ArrayList<>()).add(f);
                }
            }
        }
        if (!direct.isEmpty()) {
            own.release(direct);
        }
        unused.forEach(BackgroundSnapshots::release);
    }
}
