package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.LiveFileMetaData;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * A native incremental checkpoint whose synchronous part never waits for a memtable flush, of a
 * database written without a write-ahead log.
 *
 * <p>The synchronous part switches the memtables that hold data to immutable ones, which RocksDB
 * flushes in the background, notes the database's sequence number and pins it (a RocksDB
 * snapshot). Nothing is copied and nothing waits.
 *
 * <p>The asynchronous part waits, off the task thread, for those flushes and links the database's
 * files as they are then into a local directory. If no SST file among them holds a write newer
 * than the noted sequence number, they are exactly the files a flush in the synchronous part would
 * have given (as in Flink). If one does (a later memtable was flushed before or together with
 * the checkpoint's), it writes the whole database as the pinned snapshot sees it into a new one
 * instead ({@link RocksWholeCopy}): slower, and rare, since a later memtable has to fill up while
 * the checkpoint's flush runs.
 *
 * <p>It then uploads, {@value FileTransfers#THREADS} files at a time, the SST files the last
 * completed checkpoint did not already upload into the shared directory, and the MANIFEST (cut at
 * its length when the files were linked) and a CURRENT as this checkpoint's own files. The
 * kernel's catalog deletes a shared file once no retained checkpoint references it.
 */
final class RocksIncrementalSnapshot {

    private static final Logger LOG = Logger.getLogger(RocksIncrementalSnapshot.class.getName());
    private static final String MANIFEST = "MANIFEST-";
    /** How long the asynchronous part waits for the flush before it copies the whole database instead. */
    private static final long FLUSH_WAIT_NANOS = 60_000_000_000L;
    /** How often linking is retried when a compaction replaced files between the two listings it needs. */
    private static final int LINK_ATTEMPTS = 10;

    private final RocksDBKeyedStateBackend<?> backend;
    private final SnapshotRequest request;

    RocksIncrementalSnapshot(RocksDBKeyedStateBackend<?> backend, SnapshotRequest request) {
        this.backend = backend;
        this.request = request;
    }

    /** A file of a database linked into a checkpoint directory, and how many of its bytes belong to the checkpoint (-1: all). */
    record Linked(String name, long length) {
    }

    AsyncSnapshot start() throws IOException {
        backend.switchMemtables();
        long sequence = backend.db().getLatestSequenceNumber(); // the task thread is the only writer
        backend.asyncAccess().pinFor(request.checkpointId());
        List<RocksState> states = List.copyOf(backend.states().values());
        List<ColumnFamilyHandle> families = backend.columnFamilies(); // the asynchronous part must not read the task's map
        int familiesChanged = backend.columnFamilyChanges();
        List<StateMetaInfo> metas = states.stream().map(s -> s.meta).toList();
        // a savepoint is self-contained: it references nothing earlier and nothing later builds on it
        Map<String, List<CheckpointFiles.Placement>> reusable = request.savepoint() ? Map.of() : backend.uploadedFiles();
        return () -> {
            Snapshot pinned = backend.asyncAccess().claim(request.checkpointId());
            if (pinned == null) {
                throw new IOException("Checkpoint " + request.checkpointId() + " ended before its asynchronous part ran");
            }
            Path dir = backend.localCheckpointDirectory(request.checkpointId());
            boolean kept = false;
            try {
                List<Linked> files = awaitFlushed(dir, sequence, families, familiesChanged);
                NativeFilesHandle handle;
                if (files != null) {
                    backend.asyncAccess().unpin(pinned); // held no longer than needed: see RocksDBResources.columnFamilyDefaults
                    handle = upload(dir, files, metas, reusable, backend.instanceId() + "-", true);
                } else {
                    LOG.info(() -> "RocksDB " + (request.savepoint() ? "savepoint " : "checkpoint ") + request.checkpointId() + " of key groups "
                            + backend.range() + " writes the database whole: a later write or state reached its files before its flush completed");
                    backend.copiedWhole();
                    files = new RocksWholeCopy(backend, states, pinned).write(dir);
                    // its files are named as the copy named them: the next checkpoint can reuse none of them
                    handle = upload(dir, files, metas, Map.of(), backend.instanceId() + "-whole" + request.checkpointId() + "-", false);
                }
                kept = !request.savepoint() && backend.localRecovery().retain(request.checkpointId(), dir, handle);
                return handle;
            } finally {
                backend.asyncAccess().unpin(pinned);
                if (!kept) {
                    deleteRecursively(dir);
                }
            }
        };
    }

    /**
     * Waits until no memtable of {@code families} waits for its flush, then links the database's
     * files into {@code dir} if they hold no write after {@code sequence} and no state was created
     * since the synchronous part (its column family would be in the MANIFEST, not in the handle).
     *
     * @return the linked files, or null when the whole database must be copied instead
     */
    private List<Linked> awaitFlushed(Path dir, long sequence, List<ColumnFamilyHandle> families, int familiesChanged) throws IOException {
        long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
        if (!backend.asyncAccess().begin()) {
            throw new IOException("The RocksDB instance closed during checkpoint " + request.checkpointId());
        }
        try {
            while (backend.flushPending(families)) {
                if (System.nanoTime() > deadline || backend.asyncAccess().closing()) {
                    return null;
                }
                Thread.sleep(1);
            }
            for (int attempt = 0; attempt < LINK_ATTEMPTS; attempt++) {
                Map<String, Long> newest = newestSequencePerFile();
                List<Linked> linked = link(dir);
                boolean known = linked.stream().allMatch(f -> !f.name().endsWith(".sst") || newest.containsKey(f.name()));
                if (known) {
                    if (backend.columnFamilyChanges() != familiesChanged
                            || linked.stream().anyMatch(f -> newest.getOrDefault(f.name(), 0L) > sequence)) {
                        deleteRecursively(dir);
                        return null;
                    }
                    return linked;
                }
                deleteRecursively(dir); // a compaction finished between the listings: list again
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while checkpoint " + request.checkpointId() + " waited for its flush", e);
        } finally {
            backend.asyncAccess().end();
        }
    }

    /** The newest sequence number each live SST file holds, by file name. */
    private Map<String, Long> newestSequencePerFile() {
        Map<String, Long> newest = new HashMap<>();
        for (LiveFileMetaData f : backend.db().getLiveFilesMetaData()) {
            newest.put(Path.of(f.fileName()).getFileName().toString(), f.largestSeqno());
        }
        return newest;
    }

    /** What of a database's live files a checkpoint holds: its SST files whole, and the MANIFEST up to its length now. */
    static List<Linked> checkpointFiles(RocksDB.LiveFiles files) {
        List<Linked> held = new ArrayList<>();
        for (String f : files.files) {
            String name = Path.of(f).getFileName().toString();
            if (name.endsWith(".sst")) {
                held.add(new Linked(name, -1));
            } else if (name.startsWith(MANIFEST)) {
                held.add(new Linked(name, files.manifestFileSize));
            }
        }
        return held;
    }

    /** Links the live SST files and the MANIFEST into {@code dir}, with file deletions held off. */
    private List<Linked> link(Path dir) throws IOException {
        RocksDB db = backend.db();
        Path live = backend.directory();
        List<Linked> linked = new ArrayList<>();
        try {
            db.disableFileDeletions();
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not start checkpoint " + request.checkpointId() + ": " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir);
            for (Linked file : checkpointFiles(db.getLiveFiles(false))) {
                Files.createLink(dir.resolve(file.name()), live.resolve(file.name()));
                linked.add(file);
            }
            return linked;
        } catch (RocksDBException | IOException e) {
            deleteRecursively(dir);
            throw new IOException("RocksDB could not write checkpoint " + request.checkpointId() + " to " + dir + ": " + e.getMessage(), e);
        } finally {
            try {
                db.enableFileDeletions(false); // counted: another snapshot may still hold deletions off
            } catch (RocksDBException e) {
                // only keeps obsolete files on disk until deletions are enabled again
            }
        }
    }

    /**
     * Uploads the files; new shared ones are named {@code sharedPrefix} + their local name. With
     * {@code reusableNext}, the next checkpoint may reference them by those local names.
     */
    private NativeFilesHandle upload(Path dir, List<Linked> linked, List<StateMetaInfo> metas,
                                    Map<String, List<CheckpointFiles.Placement>> reusable, String sharedPrefix, boolean reusableNext)
            throws IOException {
        List<CheckpointFiles.Placement> placements = new ArrayList<>();
        Map<String, List<CheckpointFiles.Placement>> uploadedNow = new LinkedHashMap<>();
        List<Callable<List<CheckpointFiles.Placement>>> transfers = new ArrayList<>();
        for (Linked file : linked) {
            transfers.add(() -> file.name().endsWith(".sst") ? uploadSst(dir, file, reusable.get(file.name()), sharedPrefix)
                    : List.of(uploadManifest(dir, file)));
        }
        List<List<CheckpointFiles.Placement>> held = FileTransfers.run("upload checkpoint " + request.checkpointId(), transfers);
        for (int i = 0; i < linked.size(); i++) {
            placements.addAll(held.get(i));
            if (!linked.get(i).name().startsWith(MANIFEST)) {
                uploadedNow.put(linked.get(i).name(), held.get(i));
            }
        }
        String manifest = linked.stream().map(Linked::name).filter(n -> n.startsWith(MANIFEST)).findFirst()
                .orElseThrow(() -> new IOException("RocksDB reported no MANIFEST among its live files"));
        Path current = Files.writeString(dir.resolve("CURRENT"), manifest + "\n", StandardCharsets.US_ASCII);
        placements.add(CheckpointFiles.Placement.whole(copy(current, Files.size(current), request.streams().createOwned("CURRENT")), "CURRENT"));
        if (!request.savepoint()) {
            backend.checkpointUploaded(request.checkpointId(), reusableNext ? uploadedNow : Map.of());
        }
        return new NativeFilesHandle(RocksDBStateBackend.NAME, backend.range(), metas,
                placements.stream().map(CheckpointFiles.Placement::toNativeFile).toList());
    }

    private List<CheckpointFiles.Placement> uploadSst(Path dir, Linked file, List<CheckpointFiles.Placement> earlier, String sharedPrefix)
            throws IOException {
        if (earlier != null) {
            return earlier;
        }
        Path path = dir.resolve(file.name());
        FileRef ref = copy(path, Files.size(path), request.streams().createShared(sharedPrefix + file.name()));
        return List.of(CheckpointFiles.Placement.whole(ref, file.name()));
    }

    /** The MANIFEST up to its length when the files were linked; the local copy is cut there too, for local recovery. */
    private CheckpointFiles.Placement uploadManifest(Path dir, Linked file) throws IOException {
        Path path = frozen(dir, file);
        FileRef ref = copy(path, file.length(), request.streams().createOwned(file.name()));
        return CheckpointFiles.Placement.whole(ref, file.name());
    }

    /**
     * A file RocksDB still appends to, as the checkpoint holds it: when the directory is kept for
     * local recovery, the link is replaced by a copy of the bytes that belong to the checkpoint;
     * otherwise the link does, since only those bytes are read.
     */
    private Path frozen(Path dir, Linked file) throws IOException {
        Path link = dir.resolve(file.name());
        if (!backend.localRecovery().enabled()) {
            return link;
        }
        Path frozen = dir.resolve(file.name() + ".part");
        try (InputStream in = Files.newInputStream(link); OutputStream out = Files.newOutputStream(frozen)) {
            long copied = transfer(in, out, file.length());
            if (copied != file.length()) {
                throw new IOException(link + " holds " + copied + " bytes, fewer than the " + file.length() + " the checkpoint needs");
            }
        }
        return Files.move(frozen, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static FileRef copy(Path file, long length, SnapshotOutput out) throws IOException {
        boolean done = false;
        try (InputStream in = Files.newInputStream(file)) {
            transfer(in, out, length);
            FileRef ref = out.closeAndGetRef();
            done = true;
            return ref;
        } finally {
            if (!done) {
                out.close(); // discards the partial file
            }
        }
    }

    private static long transfer(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
        return length - left;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a local working copy; nothing depends on it
        }
    }
}
