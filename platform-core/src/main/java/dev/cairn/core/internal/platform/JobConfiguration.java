package dev.cairn.core.internal.platform;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The Metatype description of a job instance ({@code cairn.job} factory configuration). The
 * values are read and validated by {@link JobSpec}; this interface only documents them.
 */
@ObjectClassDefinition(id = JobSpec.FACTORY_PID, name = "Cairn job",
        description = "One job instance: which job definition, plugins, parallelism, checkpointing and where to restore from. "
                + "Properties param.* go to the job definition; storage.* to the storage plugin.")
@interface JobConfiguration {

    @AttributeDefinition(name = "Name", required = false,
            description = "The instance's name (snapshot directory); defaults to the configuration's name")
    String job_name();

    @AttributeDefinition(name = "Job definition", description = "Name of a registered job definition (cairn:plugins lists them)")
    String job_definition();

    @AttributeDefinition(name = "Desired state", options = {
            @Option(label = "running", value = "running"), @Option(label = "suspended", value = "suspended")})
    String job_state() default "running";

    @AttributeDefinition(name = "Parallelism", min = "1", description = "Subtasks per operator; changing it rescales through a savepoint")
    int job_parallelism() default 1;

    @AttributeDefinition(name = "Max parallelism", min = "1", max = "32768", description = "Number of key groups; fixed for the job's life")
    int job_max$_$parallelism() default 128;

    @AttributeDefinition(name = "State backend", description = "Name of a state backend plugin (heap, …)")
    String job_backend() default "heap";

    @AttributeDefinition(name = "Changelog", description = "Log every state change to snapshot storage as it happens, so that a"
            + " checkpoint only flushes the log's tail; needs checkpoint.incremental=true and the changelog plugin")
    boolean job_changelog() default false;

    @AttributeDefinition(name = "Snapshot storage", description = "Name of a snapshot storage plugin (file, …)")
    String job_storage() default "file";

    @AttributeDefinition(name = "Job definition versions", required = false, description = "OSGi version range of the job"
            + " definition's bundle, e.g. [1.2,2); empty means any (the first installed)")
    String job_definition_version();

    @AttributeDefinition(name = "State backend versions", required = false, description = "OSGi version range of the backend's bundle;"
            + " the highest installed version in it is used")
    String job_backend_version();

    @AttributeDefinition(name = "Snapshot storage versions", required = false, description = "OSGi version range of the storage plugin's bundle")
    String job_storage_version();

    @AttributeDefinition(name = "Changelog versions", required = false, description = "OSGi version range of the changelog plugin's bundle")
    String job_changelog_version();

    @AttributeDefinition(name = "Placement", required = false, description = "Name of a placement plugin (kafka) that shares the job"
            + " between platform processes by the partitions of its input: each process runs the partitions its group gives it, each as"
            + " a range <job>.range-<partition> with a ledger of its own; placement.* properties go to the plugin. Needs parallelism 1")
    String job_placement();

    @AttributeDefinition(name = "Storage root", required = false,
            description = "For file storage: absolute directory; empty means the kernel's storage.root")
    String storage_root();

    @AttributeDefinition(name = "Checkpoint interval", description = "Duration: 500ms, 10s, 5m, 1h or PT10S")
    String checkpoint_interval() default "10s";

    @AttributeDefinition(name = "Checkpoint timeout")
    String checkpoint_timeout() default "10m";

    @AttributeDefinition(name = "Minimum pause between checkpoints")
    String checkpoint_min$_$pause() default "0ms";

    @AttributeDefinition(name = "Max concurrent checkpoints", min = "1")
    int checkpoint_max$_$concurrent() default 1;

    @AttributeDefinition(name = "Tolerable checkpoint failures", min = "0")
    int checkpoint_tolerable$_$failures() default 0;

    @AttributeDefinition(name = "Retained checkpoints", min = "1")
    int checkpoint_retained() default 1;

    @AttributeDefinition(name = "Incremental checkpoints")
    boolean checkpoint_incremental() default false;

    @AttributeDefinition(name = "Inline threshold (bytes)", min = "0", max = "1048576",
            description = "Snapshot files up to this size go into the metadata instead of objects of their own; 0 turns it off")
    int checkpoint_inline$_$threshold() default 20480;

    @AttributeDefinition(name = "Unaligned checkpoints",
            description = "Barriers overtake queued records, which become part of the checkpoint: checkpoints of a backpressured job"
                    + " do not wait for its queues to drain (savepoints stay aligned)")
    boolean checkpoint_unaligned() default false;

    @AttributeDefinition(name = "Aligned timeout",
            description = "With unaligned checkpoints: start aligned and turn unaligned where alignment still waits this long after"
                    + " the trigger (e.g. 2s); 0 starts unaligned")
    String checkpoint_aligned$_$timeout() default "0ms";

    @AttributeDefinition(name = "Restart strategy", options = {
            @Option(label = "fixed-delay", value = "fixed-delay"), @Option(label = "exponential-delay", value = "exponential-delay"),
            @Option(label = "failure-rate", value = "failure-rate")},
            description = "fixed-delay: at most max-restarts restarts, each after restart-delay; exponential-delay: pauses from restart-delay"
                    + " growing to restart-max-delay, counted anew after restart-reset-after without failure; failure-rate: the job fails when"
                    + " more than max-restarts failures fall within restart-failure-interval")
    String job_restart$_$strategy() default "fixed-delay";

    @AttributeDefinition(name = "Max restarts", min = "0",
            description = "Fixed delay: restarts before the job fails; exponential delay: restarts since the last start-over (unlimited when unset);"
                    + " failure rate: failures allowed within the interval")
    int job_max$_$restarts() default 3;

    @AttributeDefinition(name = "Restart delay", description = "The pause before a restart; the first pause for exponential delay")
    String job_restart$_$delay() default "1s";

    @AttributeDefinition(name = "Restart max delay", description = "Exponential delay: the longest pause")
    String job_restart$_$max$_$delay() default "1m";

    @AttributeDefinition(name = "Restart backoff multiplier", description = "Exponential delay: each pause is this many times the one before (>= 1)")
    double job_restart$_$backoff$_$multiplier() default 1.5;

    @AttributeDefinition(name = "Restart reset after", description = "Exponential delay: a job that ran this long without failing starts over at the first pause")
    String job_restart$_$reset$_$after() default "1h";

    @AttributeDefinition(name = "Restart failure interval", description = "Failure rate: the window in which at most max-restarts failures are allowed")
    String job_restart$_$failure$_$interval() default "1m";

    @AttributeDefinition(name = "Fall back to the previous checkpoint", description = "When the newest checkpoint is damaged")
    boolean job_fallback$_$to$_$previous$_$checkpoint() default false;

    @AttributeDefinition(name = "Restore from", required = false,
            description = "Snapshot directory relative to the storage root, used when the instance has no state of its own yet")
    String restore_path();

    @AttributeDefinition(name = "Claim mode", options = {
            @Option(label = "no-claim", value = "no-claim"), @Option(label = "claim", value = "claim")})
    String restore_claim$_$mode() default "no-claim";

    @AttributeDefinition(name = "Allow non-restored state")
    boolean restore_allow$_$non$_$restored$_$state() default false;
}
