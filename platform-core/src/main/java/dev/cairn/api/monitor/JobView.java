package dev.cairn.api.monitor;

import java.util.List;

/**
 * One job as the platform sees it. Counters cover every run of the job since the platform
 * started (restarts, rescales and backend switches do not reset them).
 *
 * @param state             {@code RUNNING}, {@code WAITING}, {@code SUSPENDED}, {@code STOPPED}, {@code FINISHED}, {@code FAILED}, {@code REFUSED} …
 * @param definition        the job definition's name, or null when the job has no valid configuration
 * @param backend           null when the job has no valid configuration
 * @param storage           null when the job has no valid configuration
 * @param parallelism       0 when the job has no valid configuration
 * @param records           records the job's sources emitted (replays after a restart count again)
 * @param recordsPerSecond  the sources' rate over the last second or more
 * @param checkpoints       recent completed checkpoints, oldest first
 * @param note              why the job waits, failed or was refused; null if nothing to say
 */
public record JobView(String name, String state, String definition, String backend, String storage, int parallelism,
                      long restarts, long records, double recordsPerSecond, long checkpointsCompleted, long checkpointsFailed,
                      List<CheckpointView> checkpoints, String note) {

    public JobView {
        checkpoints = List.copyOf(checkpoints);
    }
}
