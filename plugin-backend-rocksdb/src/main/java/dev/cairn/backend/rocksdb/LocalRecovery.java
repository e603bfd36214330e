package dev.cairn.backend.rocksdb;

import dev.cairn.spi.snapshot.NativeFilesHandle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Keeps a subtask's last completed native checkpoint on local disk, so that a restart after a
 * failure restores from it without fetching anything. The copy is the checkpoint directory RocksDB
 * wrote (SST files hard-linked: almost no extra space) plus a list of the stored files it stands
 * for. It is used only when that list is exactly the handle being restored and every file still
 * matches its checksum; otherwise the restore fetches from storage as usual.
 */
final class LocalRecovery {

    private static final Logger LOG = Logger.getLogger(LocalRecovery.class.getName());
    private static final String FILE_LIST = "CAIRN-FILES";
    private static final String COMPLETED = "chk-";
    private static final String PENDING = "pending-";

    private final Path root;
    private final Map<Long, Path> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** {@code root} outlives a backend instance (the subtask's working directory), not the job run; null turns local recovery off. */
    LocalRecovery(Path root) {
        this.root = root;
    }

    boolean enabled() {
        return root != null;
    }

    /**
     * Keeps {@code dir}, the local checkpoint {@code handle} was uploaded from, until the checkpoint
     * completes or is aborted.
     *
     * @return false if local recovery is off: the caller deletes {@code dir}
     */
    boolean retain(long checkpointId, Path dir, NativeFilesHandle handle) throws IOException {
        if (root == null) {
            return false;
        }
        List<String> lines = new ArrayList<>(storedFiles(handle));
        Set<String> named = new HashSet<>();
        for (CheckpointFiles.Placement p : CheckpointFiles.placements(handle)) {
            if (!p.piece()) {
                lines.add(localLine(p.name(), p.file().size(), p.file().crc32c()));
                named.add(p.name());
            }
        }
        // files stored in pieces (write-ahead logs): their local bytes are checked as one
        for (CheckpointFiles.Placement p : CheckpointFiles.placements(handle)) {
            if (p.piece() && named.add(p.name())) {
                Path local = dir.resolve(p.name());
                lines.add(localLine(p.name(), Files.size(local), crc32c(local, Files.size(local))));
            }
        }
        Files.write(dir.resolve(FILE_LIST), lines);
        pending.put(checkpointId, dir);
        if (closed) {
            close(); // the upload outlived its backend
        }
        return true;
    }

    void completed(long checkpointId) {
        Path dir = pending.remove(checkpointId);
        if (dir == null) {
            return;
        }
        try {
            Files.createDirectories(root);
            Path kept = root.resolve(COMPLETED + checkpointId);
            Files.move(dir, kept, StandardCopyOption.ATOMIC_MOVE);
            try (Stream<Path> copies = Files.list(root)) {
                copies.filter(p -> !p.equals(kept)).forEach(RocksIncrementalSnapshot::deleteRecursively);
            }
        } catch (IOException e) {
            LOG.warning("No local copy of checkpoint " + checkpointId + " is kept (" + e + "); a restore will fetch it from storage");
            RocksIncrementalSnapshot.deleteRecursively(dir);
        }
        pending.keySet().removeIf(id -> {
            if (id < checkpointId) {
                RocksIncrementalSnapshot.deleteRecursively(pending.get(id));
                return true;
            }
            return false;
        });
    }

    void aborted(long checkpointId) {
        Path dir = pending.remove(checkpointId);
        if (dir != null) {
            RocksIncrementalSnapshot.deleteRecursively(dir);
        }
    }

    /**
     * The backend is closing (often: its task failed). Copies of checkpoints not yet known to be
     * complete are kept too: the restore that follows may be from one whose notification was lost
     * with the task, and uses a copy only if it is exactly what the restore reads.
     */
    synchronized void close() {
        closed = true;
        for (Map.Entry<Long, Path> e : pending.entrySet()) {
            try {
                Files.createDirectories(root);
                Files.move(e.getValue(), root.resolve(PENDING + e.getKey()), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException ex) {
                RocksIncrementalSnapshot.deleteRecursively(e.getValue());
            }
        }
        pending.clear();
    }

    /**
     * Puts the files of {@code handle} into {@code target} from the local copy, if there is a valid
     * one: SST files as hard links (never modified), the others as copies (RocksDB appends to them).
     *
     * @return whether it did; false leaves {@code target} to be filled from storage
     */
    boolean restoreInto(NativeFilesHandle handle, Path target) throws IOException {
        if (root == null || !Files.isDirectory(root)) {
            return false;
        }
        Set<String> wanted = new HashSet<>(storedFiles(handle));
        List<Path> copies;
        try (Stream<Path> list = Files.list(root)) {
            copies = list.toList();
        }
        for (Path copy : copies) {
            Path listFile = copy.resolve(FILE_LIST);
            if (!Files.exists(listFile)) {
                continue;
            }
            List<String> lines = Files.readAllLines(listFile);
            if (!lines.stream().filter(l -> l.startsWith(STORED)).collect(java.util.stream.Collectors.toSet()).equals(wanted)) {
                continue;
            }
            String damaged = firstDamaged(copy, lines);
            if (damaged != null) {
                LOG.warning("The local copy of key groups " + handle.keyGroupRange() + " is not used: " + damaged + "; fetching from storage");
                return false;
            }
            Set<String> placed = new HashSet<>();
            for (CheckpointFiles.Placement p : CheckpointFiles.placements(handle)) {
                if (placed.add(p.name())) {
                    Path from = copy.resolve(p.name());
                    Path to = target.resolve(p.name());
                    if (p.name().endsWith(".sst")) {
                        Files.createLink(to, from);
                    } else {
                        Files.copy(from, to);
                    }
                }
            }
            return true;
        }
        return false;
    }

    private static final String STORED = "stored\t";
    private static final String LOCAL = "local\t";

    /** What the copy stands for: the stored files of the handle and where each goes. */
    private static List<String> storedFiles(NativeFilesHandle handle) throws IOException {
        List<String> lines = new ArrayList<>();
        for (CheckpointFiles.Placement p : CheckpointFiles.placements(handle)) {
            lines.add(STORED + p.file().path() + "\t" + p.file().size() + "\t" + Long.toHexString(p.file().crc32c()) + "\t" + p.encoded());
        }
        return lines;
    }

    private static String localLine(String name, long size, long crc) {
        return LOCAL + name + "\t" + size + "\t" + Long.toHexString(crc);
    }

    /** The first local file of the copy that no longer has the size and checksum recorded for it, described; null if none. */
    private static String firstDamaged(Path copy, List<String> lines) throws IOException {
        for (String line : lines) {
            if (!line.startsWith(LOCAL)) {
                continue;
            }
            String[] f = line.split("\t");
            Path file = copy.resolve(f[1]);
            long size = Long.parseLong(f[2]);
            if (!Files.isRegularFile(file) || Files.size(file) != size) {
                return file + " is missing or not " + size + " bytes long";
            }
            long crc = crc32c(file, size);
            if (crc != Long.parseUnsignedLong(f[3], 16)) {
                return file.getFileName() + " has CRC32C " + Long.toHexString(crc) + ", expected " + f[3];
            }
        }
        return null;
    }

    private static long crc32c(Path file, long size) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException(file + " ends early");
                }
                crc.update(buffer, 0, n);
                left -= n;
            }
        }
        return crc.getValue();
    }
}
