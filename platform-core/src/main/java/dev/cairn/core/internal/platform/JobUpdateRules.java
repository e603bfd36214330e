package dev.cairn.core.internal.platform;

import dev.cairn.api.job.JobConfig;

/** What a new configuration of an existing job may change. */
final class JobUpdateRules {

    private JobUpdateRules() {
    }

    /** A job keeps its name; one with state keeps its backend, storage and key groups. */
    static void check(JobSpec current, JobSpec next, boolean hasState) throws InvalidConfigurationException {
        if (!next.name().equals(current.name())) {
            throw InvalidConfigurationException.of("job.name", next.name(), "a job keeps its name (" + current.name() + "); create a new job instead");
        }
        if (!hasState) {
            return;
        }
        JobConfig now = current.config();
        JobConfig then = next.config();
        if (!then.backend().equals(now.backend())) {
            throw InvalidConfigurationException.of("job.backend", then.backend(), "the job has " + now.backend()
                    + " state and backend-neutral (canonical) savepoints are not available yet; keep " + now.backend());
        }
        if (!then.storage().equals(now.storage()) || !then.storageConfig().equals(now.storageConfig())) {
            throw InvalidConfigurationException.of("job.storage", then.storage() + " " + then.storageConfig(),
                    "the job's snapshots live in " + now.storage() + "; keep its storage settings");
        }
        if (then.maxParallelism() != now.maxParallelism()) {
            throw InvalidConfigurationException.of("job.max-parallelism", then.maxParallelism(),
                    "it fixes the key groups of the job's state; keep " + now.maxParallelism());
        }
    }
}
