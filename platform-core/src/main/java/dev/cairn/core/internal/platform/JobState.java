package dev.cairn.core.internal.platform;

/** Where a configured job is in its life, as the console shows it. */
public enum JobState {
    /** Its configuration was refused from the start; it never runs. */
    REFUSED,
    /** A plugin it needs is missing (or could not start); it starts when the plugin arrives. */
    WAITING,
    STARTING,
    RUNNING,
    /** A subtask failed; the job restarts from its ledger's recovery point. */
    RESTARTING,
    /** Stopped by the user or its configuration ({@code job.state=suspended}). */
    SUSPENDED,
    /** Not running, for no reason to report (stopped by a handover that has not restarted it yet). */
    STOPPED,
    FINISHED,
    FAILED,
    CANCELLED;

    /** Whether a job master is running it (a stop, a handover or a savepoint applies). */
    public boolean active() {
        return this == STARTING || this == RUNNING || this == RESTARTING;
    }
}
