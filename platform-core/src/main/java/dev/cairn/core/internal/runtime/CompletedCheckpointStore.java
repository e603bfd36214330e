package dev.cairn.core.internal.runtime;

import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The checkpoints a job retains (the last N, plus a claimed restore snapshot until it is
 * subsumed). Deleting one deletes only files no retained snapshot, and no protected (NO_CLAIM)
 * snapshot, references.
 */
final class CompletedCheckpointStore {

    private static final Logger LOG = Logger.getLogger(CompletedCheckpointStore.class.getName());

    private final SnapshotCatalog catalog;
    private final int maxRetained;
    private final Deque<CompletedSnapshot> retained = new ArrayDeque<>();
    private final Set<String> protectedFiles = new HashSet<>();

    CompletedCheckpointStore(SnapshotCatalog catalog, int maxRetained) {
        this.catalog = catalog;
        this.maxRetained = maxRetained;
    }

    /** Files of a snapshot the job must never delete (restored in NO_CLAIM mode). */
    synchronized void protect(CompletedSnapshot snapshot) {
        protectedFiles.addAll(snapshot.storagePaths());
        protectedFiles.add(snapshot.metadataPath());
    }

    /** A snapshot restored in CLAIM mode: owned from now on, deleted once subsumed. */
    synchronized void claim(CompletedSnapshot snapshot) {
        retained.addFirst(snapshot);
    }

    synchronized void add(CompletedSnapshot snapshot) {
        retained.addLast(snapshot);
        while (retained.size() > maxRetained) {
            CompletedSnapshot subsumed = retained.removeFirst();
            try {
                catalog.discard(subsumed, referencedFiles());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Could not delete subsumed checkpoint " + subsumed.directory(), e);
            }
        }
    }

    /** Takes a damaged checkpoint out of the retained set; its files are kept for inspection. */
    synchronized void markDamaged(CompletedSnapshot snapshot) {
        retained.remove(snapshot);
        protectedFiles.addAll(snapshot.storagePaths());
    }

    synchronized CompletedSnapshot latest() {
        return retained.peekLast();
    }

    synchronized List<CompletedSnapshot> all() {
        return new ArrayList<>(retained);
    }

    synchronized Set<String> referencedFiles() {
        Set<String> files = new HashSet<>(protectedFiles);
        for (CompletedSnapshot s : retained) {
            files.addAll(s.storagePaths());
            files.add(s.metadataPath());
        }
        return files;
    }
}
