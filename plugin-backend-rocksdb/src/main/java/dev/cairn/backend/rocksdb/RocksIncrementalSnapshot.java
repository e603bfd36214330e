package dev.cairn.backend.rocksdb;

import dev.cairn.spi.backend.AsyncSnapshot;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDBException;

/**
 * A native incremental checkpoint. The synchronous part has RocksDB write a checkpoint (memtables
 * flushed, SST files hard-linked: their contents never change); the asynchronous part uploads the
 * SST files the last completed checkpoint did not already upload into the shared directory and
 * the small metadata files (MANIFEST, CURRENT) as the checkpoint's own. The kernel's
 * catalog deletes a shared file once no retained checkpoint references it.
 */
final class RocksIncrementalSnapshot {

    private final RocksDBKeyedStateBackend<?> backend;
    private final SnapshotRequest request;

    RocksIncrementalSnapshot(RocksDBKeyedStateBackend<?> backend, SnapshotRequest request) {
        this.backend = backend;
        this.request = request;
    }

    AsyncSnapshot start() throws IOException {
        Path dir = backend.localCheckpointDirectory(request.checkpointId());
        try (Checkpoint checkpoint = Checkpoint.create(backend.db())) {
            checkpoint.createCheckpoint(dir.toString());
        } catch (RocksDBException e) {
            throw new IOException("RocksDB could not write checkpoint " + request.checkpointId() + " to " + dir + ": " + e.getMessage(), e);
        }
        List<StateMetaInfo> metas = backend.states().values().stream().map(s -> s.meta).toList();
        Map<String, FileRef> reusable = backend.uploadedSstFiles();
        return () -> {
            boolean kept = false;
            try {
                KeyedStateHandle handle = upload(dir, metas, reusable);
                kept = backend.localRecovery().retain(request.checkpointId(), dir, handle);
                return handle;
            } finally {
                if (!kept) {
                    deleteRecursively(dir);
                }
            }
        };
    }

    private KeyedStateHandle upload(Path dir, List<StateMetaInfo> metas, Map<String, FileRef> reusable) throws IOException {
        List<FileRef> files = new ArrayList<>();
        Map<String, String> localNames = new LinkedHashMap<>();
        Map<String, FileRef> ssts = new HashMap<>();
        long uploaded = 0;
        long reused = 0;
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith("OPTIONS-")) {
                    continue; // a record of the options used; opening a restored checkpoint passes its own
                }
                FileRef ref;
                if (name.endsWith(".sst")) {
                    ref = reusable.get(name);
                    if (ref == null) {
                        ref = copy(file, request.streams().createShared(backend.instanceId() + "-" + name));
                        uploaded += ref.size();
                    } else {
                        reused += ref.size();
                    }
                    ssts.put(name, ref);
                } else {
                    ref = copy(file, request.streams().createOwned(name));
                    uploaded += ref.size();
                }
                files.add(ref);
                localNames.put(CheckpointFiles.LOCAL_NAME + ref.path(), name);
            }
        }
        backend.checkpointUploaded(request.checkpointId(), ssts);
        Map<String, String> properties = new LinkedHashMap<>(localNames);
        properties.put("bytesUploaded", Long.toString(uploaded));
        properties.put("bytesReused", Long.toString(reused));
        return new KeyedStateHandle(RocksDBStateBackend.NAME, "incremental", backend.range(), metas, List.of(), files, properties);
    }

    private static FileRef copy(Path file, SnapshotOutput out) throws IOException {
        boolean done = false;
        try (InputStream in = Files.newInputStream(file)) {
            in.transferTo(out);
            FileRef ref = out.closeAndGetRef();
            done = true;
            return ref;
        } finally {
            if (!done) {
                out.close(); // discards the partial file
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a local working copy; nothing depends on it
        }
    }
}
