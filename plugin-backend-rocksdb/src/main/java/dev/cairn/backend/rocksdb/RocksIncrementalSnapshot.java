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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.rocksdb.LogFile;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WalFileType;

/**
 * A native incremental checkpoint whose synchronous part never waits for a memtable flush.
 *
 * <p>The synchronous part writes the buffered write-ahead log out to its file, hard-links the
 * database's live files (SST files, MANIFEST, logs) into a local directory, noting how long the
 * append-only MANIFEST and logs are at that moment, and switches the memtables that hold data to
 * immutable ones, which RocksDB flushes in the background. A few system calls per file; no data
 * is copied and nothing waits.
 *
 * <p>The asynchronous part waits, off the task thread, for that flush, and takes the database's
 * files as they are then, unless a memtable switched later was flushed meanwhile: the same files
 * a flush in the synchronous part would have given (as in Flink), with no log. If one was (a later
 * write reached an SST file), it falls back to the files linked in the synchronous part, whose logs carry the memtables' contents: opening the restored
 * directory replays them, as RocksDB does after a crash.
 *
 * <p>It then uploads, {@value FileTransfers#THREADS} files at a time, the SST files the last completed checkpoint did not already upload into the
 * shared directory; the MANIFEST (cut at the noted length) and a CURRENT as this checkpoint's own
 * files; and of each carried log, the bytes the last completed checkpoint did not hold, deflated,
 * as a shared piece. The kernel's catalog deletes a shared file once no retained checkpoint
 * references it.
 */
final class RocksIncrementalSnapshot {

    private static final String MANIFEST = "MANIFEST-";
    /** How long the asynchronous part waits for the flush before it falls back to the carried logs. */
    private static final long FLUSH_WAIT_NANOS = 60_000_000_000L;

    private final RocksDBKeyedStateBackend<?> backend;
    private final SnapshotRequest request;

    RocksIncrementalSnapshot(RocksDBKeyedStateBackend<?> backend, SnapshotRequest request) {
        this.backend = backend;
        this.request = request;
    }

    /** A file of the database linked into a checkpoint directory, and how many of its bytes belong to the checkpoint (-1: all). */
    private record Linked(String name, long length) {
    }

    AsyncSnapshot start() throws IOException {
        Path carriedDir = backend.localCheckpointDirectory(request.checkpointId());
        RocksDB db = backend.db();
        try {
            db.flushWal(false);
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not write out its log for checkpoint " + request.checkpointId() + ": " + e.getMessage(), e);
        }
        List<Linked> carried = link(carriedDir, true);
        boolean switched;
        long log;
        try {
            switched = backend.switchMemtables();
            log = switched ? newestLog() : -1;
        } catch (IOException e) {
            deleteRecursively(carriedDir);
            throw e;
        }
        List<StateMetaInfo> metas = backend.states().values().stream().map(s -> s.meta).toList();
        // a savepoint is self-contained: it references nothing earlier and nothing later builds on it
        Map<String, List<CheckpointFiles.Placement>> reusable = request.savepoint() ? Map.of() : backend.uploadedFiles();
        return () -> {
            Path dir = carriedDir;
            List<Linked> files = carried;
            boolean kept = false;
            try {
                Path flushedDir = carriedDir.resolveSibling(carriedDir.getFileName() + "-flushed");
                List<Linked> flushed = switched ? awaitFlushed(flushedDir, log) : null;
                if (flushed != null) {
                    deleteRecursively(carriedDir);
                    dir = flushedDir;
                    files = flushed;
                }
                NativeFilesHandle handle = upload(dir, files, metas, reusable);
                kept = !request.savepoint() && backend.localRecovery().retain(request.checkpointId(), dir, handle);
                return handle;
            } finally {
                if (!kept) {
                    deleteRecursively(dir);
                    deleteRecursively(carriedDir);
                }
            }
        };
    }

    /**
     * Waits until no memtable waits for its flush, then links the database's files into
     * {@code dir} if they hold no later write: the switch started log {@code log}, and while
     * RocksDB still needs that log, no memtable switched after it has been flushed.
     *
     * @return the linked files, or null to fall back to the carried logs
     */
    private List<Linked> awaitFlushed(Path dir, long log) throws IOException {
        long deadline = System.nanoTime() + FLUSH_WAIT_NANOS;
        if (!backend.asyncAccess().begin()) {
            throw new IOException("The RocksDB instance closed during checkpoint " + request.checkpointId());
        }
        try {
            while (backend.flushPending()) {
                if (System.nanoTime() > deadline || backend.asyncAccess().closing()) {
                    return null;
                }
                Thread.sleep(1);
            }
            List<Linked> linked = link(dir, false);
            if (backend.db().getLongProperty("rocksdb.min-log-number-to-keep") != log) {
                deleteRecursively(dir);
                return null;
            }
            return linked;
        } catch (RocksDBException e) {
            deleteRecursively(dir);
            throw new IOException("RocksDB could not report its logs: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while checkpoint " + request.checkpointId() + " waited for its flush", e);
        } finally {
            backend.asyncAccess().end();
        }
    }

    /** The number of the newest log file: right after a switch, the one it started. */
    private long newestLog() throws IOException {
        try (Stream<Path> files = Files.list(backend.directory())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - 4))).max().orElse(-1);
        } catch (NumberFormatException e) {
            throw new IOException("Unexpected log file name in " + backend.directory() + ": " + e.getMessage(), e);
        }
    }

    /** Links the live SST files and MANIFEST, and with {@code logs} the live logs, into {@code dir}, with file deletions held off. */
    private List<Linked> link(Path dir, boolean logs) throws IOException {
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
            RocksDB.LiveFiles files = db.getLiveFiles(false);
            for (String f : files.files) {
                String name = Path.of(f).getFileName().toString();
                if (name.endsWith(".sst")) {
                    Files.createLink(dir.resolve(name), live.resolve(name));
                    linked.add(new Linked(name, -1));
                } else if (name.startsWith(MANIFEST)) {
                    Files.createLink(dir.resolve(name), live.resolve(name));
                    linked.add(new Linked(name, files.manifestFileSize));
                }
            }
            if (logs) {
                for (LogFile log : db.getSortedWalFiles()) {
                    String name = Path.of(log.pathName()).getFileName().toString();
                    if (log.type() == WalFileType.kAliveLogFile && Files.exists(live.resolve(name))) {
                        Path link = Files.createLink(dir.resolve(name), live.resolve(name));
                        linked.add(new Linked(name, Files.size(link))); // written out above, and the task is not writing
                    }
                }
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

    private NativeFilesHandle upload(Path dir, List<Linked> linked, List<StateMetaInfo> metas,
                                    Map<String, List<CheckpointFiles.Placement>> reusable) throws IOException {
        List<CheckpointFiles.Placement> placements = new ArrayList<>();
        Map<String, List<CheckpointFiles.Placement>> uploadedNow = new LinkedHashMap<>();
        List<Callable<List<CheckpointFiles.Placement>>> transfers = new ArrayList<>();
        for (Linked file : linked) {
            transfers.add(() -> file.name().endsWith(".sst") ? uploadSst(dir, file, reusable.get(file.name()))
                    : file.name().startsWith(MANIFEST) ? List.of(uploadManifest(dir, file))
                    : uploadLog(dir, file, reusable.getOrDefault(file.name(), List.of())));
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
        placements.add(CheckpointFiles.Placement.whole(copy(current, 0, Files.size(current), request.streams().createOwned("CURRENT"), false), "CURRENT"));
        if (!request.savepoint()) {
            backend.checkpointUploaded(request.checkpointId(), uploadedNow);
        }
        return new NativeFilesHandle(RocksDBStateBackend.NAME, backend.range(), metas,
                placements.stream().map(CheckpointFiles.Placement::toNativeFile).toList());
    }

    private List<CheckpointFiles.Placement> uploadSst(Path dir, Linked file, List<CheckpointFiles.Placement> earlier) throws IOException {
        if (earlier != null) {
            return earlier;
        }
        Path path = dir.resolve(file.name());
        FileRef ref = copy(path, 0, Files.size(path), request.streams().createShared(backend.instanceId() + "-" + file.name()), false);
        return List.of(CheckpointFiles.Placement.whole(ref, file.name()));
    }

    /** The MANIFEST up to its length at the synchronous part; the local copy is cut there too, for local recovery. */
    private CheckpointFiles.Placement uploadManifest(Path dir, Linked file) throws IOException {
        Path path = frozen(dir, file);
        FileRef ref = copy(path, 0, file.length(), request.streams().createOwned(file.name()), false);
        return CheckpointFiles.Placement.whole(ref, file.name());
    }

    /** The pieces of a log the last completed checkpoint uploaded, and one new deflated piece for what was appended since. */
    private List<CheckpointFiles.Placement> uploadLog(Path dir, Linked file, List<CheckpointFiles.Placement> earlier) throws IOException {
        Path path = frozen(dir, file);
        List<CheckpointFiles.Placement> pieces = new ArrayList<>();
        long held = 0;
        for (CheckpointFiles.Placement p : earlier) {
            if (p.offset() == held && held + p.length() <= file.length()) {
                pieces.add(p);
                held += p.length();
            }
        }
        if (held < file.length()) {
            long length = file.length() - held;
            FileRef ref = copy(path, held, length,
                    request.streams().createShared(backend.instanceId() + "-" + file.name() + "-" + held), true);
            pieces.add(new CheckpointFiles.Placement(ref, file.name(), held, length, true));
        }
        return pieces;
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

    private static FileRef copy(Path file, long offset, long length, SnapshotOutput out, boolean deflate) throws IOException {
        boolean done = false;
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            if (deflate) {
                Deflater deflater = new Deflater(Deflater.BEST_SPEED);
                try {
                    DeflaterOutputStream z = new DeflaterOutputStream(out, deflater, 1 << 16);
                    transfer(in, z, length);
                    z.finish();
                } finally {
                    deflater.end();
                }
            } else {
                transfer(in, out, length);
            }
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
