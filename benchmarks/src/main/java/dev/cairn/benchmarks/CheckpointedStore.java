package dev.cairn.benchmarks;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One subtask's value state under a steady stream of updates, checkpointed as a task does it: the
 * synchronous part and the completion notice on the task thread, the asynchronous part on
 * another. The changelog comparison drives it ({@link ChangelogRun}).
 */
interface CheckpointedStore extends AutoCloseable {

    void update(long key, String value) throws Exception;

    String get(long key) throws Exception;

    /** Runs what other threads queued for the task thread (Flink's mailbox); called between records. */
    default void runMail() throws Exception {
    }

    /** The synchronous part; the returned part runs on another thread and returns what the checkpoint references. */
    Callable<Checkpoint> checkpoint(long checkpointId) throws Exception;

    /** The checkpoint completed (and, retaining one, subsumed the one before). Task thread. */
    void completed(long checkpointId) throws Exception;

    /** A new store restored from {@code checkpoint} into {@code workDir}. */
    CheckpointedStore restore(Path workDir, Checkpoint checkpoint) throws Exception;

    /**
     * A completed checkpoint: its handle, every stored file it references with its size (what
     * a store must keep for it), whether it builds on a materialisation of the wrapped backend
     * (always, without a changelog) and which one ({@code base}, null without a changelog), the
     * bytes of log a restore replays, and when the backend's asynchronous part ended (before the
     * benchmark's own bookkeeping of the handle).
     */
    record Checkpoint(Object handle, Map<String, Long> files, boolean materialized, Object base, long logBytes, long doneNanos) {

        long bytes() {
            return files.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Bytes of files this checkpoint references that {@code previous} did not: what it uploaded. */
        long bytesNewSince(Checkpoint previous) {
            return files.entrySet().stream().filter(e -> previous == null || !previous.files.containsKey(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }
}
