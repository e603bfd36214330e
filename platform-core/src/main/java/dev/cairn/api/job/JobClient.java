package dev.cairn.api.job;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running job instance. */
public interface JobClient {
    String jobName();

    JobStatus status();

    /** Completes with the id of the next completed checkpoint. */
    CompletableFuture<Long> triggerCheckpoint();

    /** Takes a savepoint named {@code name}; completes with its path relative to the storage root. */
    CompletableFuture<String> triggerSavepoint(String name);

    /** Takes a savepoint, then stops the job (sinks commit, nothing is replayed on resume). */
    CompletableFuture<String> stopWithSavepoint(String name);

    /**
     * Deletes one of this job's savepoints: the only safe way, since the platform knows which
     * files are still referenced.
     */
    void deleteSavepoint(String name) throws java.io.IOException;

    void cancel();

    /** Waits for the job to end; returns its final status. */
    JobStatus await(Duration timeout) throws InterruptedException;

    /** The failure that ended the job, or {@code null}. */
    Throwable failureCause();

    /** How many times the job restarted after a failure. */
    int restarts();

    long lastCompletedCheckpointId();
}
