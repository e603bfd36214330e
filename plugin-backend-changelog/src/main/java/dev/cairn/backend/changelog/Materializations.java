package dev.cairn.backend.changelog;

import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.BackgroundSnapshots;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a subtask's checkpoints build on, and when the wrapped backend is materialised. A
 * checkpoint references the base (the last materialisation) and the log since. Every
 * materialisation interval, and once the log since the base holds the configured share of the
 * base's size, a background snapshot of the wrapped backend starts (its own
 * incremental one, on the changelog's pool); once it is done the next checkpoint builds on it and
 * the log before it goes. A checkpoint materialises itself instead when there is no base it may
 * reference (a restore that does not own its snapshot), after a serializer migration, when the
 * log lost a batch, and when nothing can be written between checkpoints. Files the base and the
 * log no longer need are released once a later checkpoint completed. Task thread only, except
 * the asynchronous parts.
 */
final class Materializations {
    private static final Logger LOG = Logger.getLogger(Materializations.class.getName());

    /** Builds a checkpoint's handle from its base and its log. */
    interface Handles {
        KeyedStateHandle handle(List<KeyedStateHandle> base, List<KeyGroupSection> changes, List<FileRef> changeFiles);
    }

    private record Running(long id, long seq, CompletableFuture<KeyedStateHandle> done) {
    }

    private record InCheckpoint(long seq, CompletableFuture<KeyedStateHandle> handle) {
    }

    private record Deferred(long afterCheckpoint, List<FileRef> files, List<CompletableFuture<ChangeLog.Uploaded>> uploads) {
    }

    private final KeyedStateBackend<?> inner;
    private final ChangeLog log;
    private final BackgroundSnapshots background;
    private final ChangelogSettings settings;
    private final Executor pool;
    private final LongSupplier nanos;
    private final String name;

    private List<KeyedStateHandle> base;
    private List<KeyGroupSection> restoredChanges;
    private List<FileRef> restoredChangeFiles;
    private long lastStartNanos;
    private boolean required;
    private Running running;
    private final Map<Long, InCheckpoint> inCheckpoint = new TreeMap<>();
    private final List<Deferred> deferred = new ArrayList<>();
    private long highestCheckpoint = -1;
    /** Checkpoints taken and not yet settled: only their completion lets deferred files go (a savepoint's does not). */
    private final java.util.TreeSet<Long> taken = new java.util.TreeSet<>();
    private long baseSeq;
    private long baseBytes;
    /** The last background materialisation failed: the log's size does not start another before the interval. */
    private boolean lastFailed;
    /** Background materialisations a checkpoint's own overtook: never adopted, but the wrapped backend must outlive them. */
    private final List<CompletableFuture<KeyedStateHandle>> abandoned = new ArrayList<>();

    /**
     * @param base            what the first checkpoint may build on, or null when it must materialise
     * @param restoredChanges the restored log's sections since {@code base} (empty without one)
     * @param log             null when nothing can be written between checkpoints
     */
    Materializations(KeyedStateBackend<?> inner, ChangeLog log, BackgroundSnapshots background, ChangelogSettings settings, Executor pool,
                     LongSupplier nanos, String name, List<KeyedStateHandle> base, List<KeyGroupSection> restoredChanges,
                     List<FileRef> restoredChangeFiles) {
        this.inner = inner;
        this.log = log;
        this.background = background;
        this.settings = settings;
        this.pool = pool;
        this.nanos = nanos;
        this.name = name;
        this.base = base == null ? null : List.copyOf(base);
        this.baseBytes = base == null ? 0 : bytesOf(base);
        this.restoredChanges = List.copyOf(restoredChanges);
        this.restoredChangeFiles = List.copyOf(restoredChangeFiles);
        this.lastStartNanos = nanos.getAsLong();
    }

    /** A serializer migration: the log must not mix records of two serializers, so the next checkpoint materialises. */
    void requireBeforeNextCheckpoint() {
        required = true;
    }

    /** The synchronous part of a checkpoint (not a savepoint); the returned part writes its handle. */
    AsyncSnapshot checkpoint(SnapshotRequest request, Handles handles) throws Exception {
        adoptFinishedMaterialization();
        highestCheckpoint = Math.max(highestCheckpoint, request.checkpointId());
        taken.add(request.checkpointId());
        if (base == null || required || log == null || log.broken()) {
            return materializeIn(request, handles);
        }
        if (running == null && (nanos.getAsLong() - lastStartNanos >= settings.materializationInterval().toNanos() || logOutgrewBase())) {
            startMaterialization();
        }
        List<ChangeLog.Batch> batches = log.cut();
        List<KeyedStateHandle> builtOn = base;
        List<KeyGroupSection> restored = restoredChanges;
        List<FileRef> restoredFiles = restoredChangeFiles;
        return () -> {
            List<KeyGroupSection> changes = new ArrayList<>(restored);
            Map<String, FileRef> files = new LinkedHashMap<>();
            restoredFiles.forEach(f -> files.put(f.path(), f));
            for (ChangeLog.Batch b : batches) {
                ChangeLog.Uploaded u = await(b.upload(), "changelog batch " + b.seq());
                changes.addAll(u.sections());
                if (!u.sections().isEmpty()) {
                    files.putIfAbsent(u.file().path(), u.file()); // batches uploaded together share a file
                }
            }
            return handles.handle(builtOn, changes, List.copyOf(files.values()));
        };
    }

    /** The log since the base reached the configured share of the base's size. */
    private boolean logOutgrewBase() {
        if (settings.logPercent() == 0 || lastFailed) {
            return false; // after a failed materialisation only the interval tries again
        }
        long logged = log.bytes();
        return logged > 0 && logged * 100 >= baseBytes * settings.logPercent();
    }

    private AsyncSnapshot materializeIn(SnapshotRequest request, Handles handles) throws Exception {
        if (running != null) {
            // it covers less of the log than this one: adopting it afterwards would drop changes between the two
            abandoned.add(running.done());
            running = null;
        }
        abandoned.removeIf(CompletableFuture::isDone);
        // later checkpoints reference this materialisation: no file of it may live inlined in this checkpoint's metadata alone
        AsyncSnapshot innerPart = inner.snapshot(new SnapshotRequest(request.checkpointId(), false, allShared(request.streams()),
                request.sections()));
        long seq = log == null ? 0 : lastSeqAfterCut();
        CompletableFuture<KeyedStateHandle> done = new CompletableFuture<>();
        inCheckpoint.put(request.checkpointId(), new InCheckpoint(seq, done));
        return () -> {
            try {
                KeyedStateHandle h = innerPart.write();
                done.complete(h);
                return handles.handle(List.of(h), List.of(), List.of());
            } catch (Exception | Error e) {
                done.completeExceptionally(e);
                throw e;
            }
        };
    }

    private static SnapshotStreams allShared(SnapshotStreams streams) {
        return new SnapshotStreams() {
            @Override
            public SnapshotOutput createOwned(String name) throws IOException {
                return streams.createShared(name);
            }

            @Override
            public SnapshotOutput createShared(String name) throws IOException {
                return streams.createShared(name);
            }
        };
    }

    private long lastSeqAfterCut() {
        log.cut();
        return log.lastSeq();
    }

    private void startMaterialization() throws Exception {
        long seq = lastSeqAfterCut();
        long id = background.nextId();
        AsyncSnapshot part = inner.snapshot(new SnapshotRequest(id, false, background.streams(), background.sectionWriter()));
        lastStartNanos = nanos.getAsLong();
        CompletableFuture<KeyedStateHandle> done = CompletableFuture.supplyAsync(() -> {
            try {
                return part.write();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, pool);
        running = new Running(id, seq, done);
    }

    /** A background materialisation that finished becomes the base; one that failed is tried again next interval. */
    private void adoptFinishedMaterialization() {
        if (running == null || !running.done().isDone()) {
            return;
        }
        Running r = running;
        running = null;
        try {
            KeyedStateHandle h = r.done().join();
            inner.notifyCheckpointComplete(r.id());
            lastFailed = false;
            switchBase(List.of(h), r.seq());
        } catch (CompletionException e) {
            inner.notifyCheckpointAborted(r.id());
            lastFailed = true;
            LOG.log(Level.WARNING, "Background materialisation " + r.id() + " of " + name + " failed; the log grows until the next one", e.getCause());
        }
    }

    private void switchBase(List<KeyedStateHandle> newBase, long seq) {
        if (base != null && seq < baseSeq) {
            return; // an older materialisation than the base: the log it would need is gone
        }
        baseSeq = seq;
        Set<String> kept = new HashSet<>();
        newBase.forEach(h -> h.storedFiles().forEach(f -> kept.add(f.path())));
        List<FileRef> release = new ArrayList<>();
        if (base != null) {
            base.forEach(h -> h.storedFiles().stream().filter(f -> !kept.contains(f.path())).forEach(release::add));
        }
        release.addAll(restoredChangeFiles);
        List<CompletableFuture<ChangeLog.Uploaded>> uploads = new ArrayList<>();
        if (log != null) {
            log.truncateThrough(seq).forEach(b -> uploads.add(b.upload()));
            log.repaired();
        }
        deferred.add(new Deferred(highestCheckpoint, release, uploads));
        base = List.copyOf(newBase);
        baseBytes = bytesOf(newBase);
        restoredChanges = List.of();
        restoredChangeFiles = List.of();
        required = false;
    }

    private static long bytesOf(List<KeyedStateHandle> handles) {
        return handles.stream().flatMap(h -> h.storedFiles().stream()).mapToLong(FileRef::size).sum();
    }

    void checkpointCompleted(long checkpointId) {
        if (!taken.contains(checkpointId)) {
            return; // a savepoint, or a checkpoint of an earlier instance: it references nothing of this log
        }
        taken.headSet(checkpointId, true).clear();
        InCheckpoint in = inCheckpoint.remove(checkpointId);
        inCheckpoint.keySet().removeIf(id -> id < checkpointId);
        if (in != null && in.handle().isDone() && !in.handle().isCompletedExceptionally()) {
            inner.notifyCheckpointComplete(checkpointId);
            lastStartNanos = nanos.getAsLong();
            switchBase(List.of(in.handle().join()), in.seq());
        }
        List<Deferred> due = new ArrayList<>();
        deferred.removeIf(d -> {
            if (d.afterCheckpoint() < checkpointId) {
                due.add(d);
                return true;
            }
            return false;
        });
        due.forEach(this::release);
    }

    void checkpointAborted(long checkpointId) {
        taken.remove(checkpointId);
        if (inCheckpoint.remove(checkpointId) != null) {
            inner.notifyCheckpointAborted(checkpointId);
        }
    }

    /**
     * Releases what a deferred switch let go, on the task thread. A log file is released only once
     * its upload finished and no batch still in the log has sections in it (batches uploaded
     * together share a file); what cannot go yet waits for the next completed checkpoint.
     */
    private void release(Deferred d) {
        Map<String, FileRef> files = new LinkedHashMap<>();
        d.files().forEach(f -> files.putIfAbsent(f.path(), f));
        List<CompletableFuture<ChangeLog.Uploaded>> waiting = new ArrayList<>();
        for (CompletableFuture<ChangeLog.Uploaded> upload : d.uploads()) {
            if (!upload.isDone()) {
                waiting.add(upload);
            } else if (!upload.isCompletedExceptionally()) {
                ChangeLog.Uploaded u = upload.join();
                files.putIfAbsent(u.file().path(), u.file());
            }
        }
        if (log != null && !log.uploadsSettled()) {
            // an upload of batches sharing one of these files may be completing batch by batch: try at the next completion
            deferred.add(d);
            return;
        }
        if (log != null) {
            files.keySet().removeAll(log.filesInUse());
        }
        if (!files.isEmpty()) {
            release(List.copyOf(files.values()));
        }
        if (!waiting.isEmpty()) {
            deferred.add(new Deferred(d.afterCheckpoint(), List.of(), waiting));
        }
    }

    private void release(List<FileRef> files) {
        if (log != null) {
            log.release(files); // a log file other subtasks have sections in stays until they release it too
        } else {
            background.release(files);
        }
    }

    /** Waits until the background materialisation running now (if any) has finished, so that the next checkpoint builds on it. */
    void awaitRunning() throws InterruptedException {
        Running r = running;
        if (r != null) {
            try {
                r.done().get();
            } catch (ExecutionException e) {
                // adopted (or not) at the next checkpoint, which reports it
            }
        }
    }

    /** Waits for a background materialisation still writing: the wrapped backend must outlive it. */
    void close() {
        List<CompletableFuture<KeyedStateHandle>> writing = new ArrayList<>(abandoned);
        if (running != null) {
            writing.add(running.done());
        }
        running = null;
        for (CompletableFuture<KeyedStateHandle> f : writing) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                LOG.log(Level.FINE, "A background materialisation of " + name + " failed while closing", e.getCause());
            }
        }
        inCheckpoint.clear();
        deferred.clear();
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("Interrupted while waiting for " + what);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(what + " failed", e.getCause());
        }
    }
}
