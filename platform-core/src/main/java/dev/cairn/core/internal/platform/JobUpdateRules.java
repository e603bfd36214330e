package dev.cairn.core.internal.platform;

import dev.cairn.api.job.JobConfig;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import org.osgi.framework.VersionRange;

/**
 * What a new configuration of an existing job may change. A job with state may change its
 * backend, its key-group count and its storage: the state moves over through a snapshot (a
 * backend-neutral savepoint when the backend or the key groups change), so the plugin it moves
 * to must be installed now, or the change is refused and the job keeps running as it is. So must
 * a plugin in a changed version range.
 */
final class JobUpdateRules {

    private JobUpdateRules() {
    }

    static void check(JobSpec current, JobSpec next, boolean hasState, PluginTracker plugins) throws InvalidConfigurationException {
        if (!next.name().equals(current.name())) {
            throw InvalidConfigurationException.of("job.name", next.name(), "a job keeps its name (" + current.name() + "); create a new job instead");
        }
        if (!hasState) {
            return;
        }
        JobConfig now = current.config();
        JobConfig then = next.config();
        if (!then.backend().equals(now.backend()) && next.plugin(plugins, Kind.BACKEND).isEmpty()) {
            throw InvalidConfigurationException.of("job.backend", then.backend(), "the job's " + now.backend()
                    + " state can move only to a backend that is installed now (" + next.installed(plugins, Kind.BACKEND) + ")");
        }
        if (!then.storage().equals(now.storage()) && next.plugin(plugins, Kind.STORAGE).isEmpty()) {
            throw InvalidConfigurationException.of("job.storage", then.storage(), "the job's snapshots can move only to a storage that is"
                    + " installed now (" + next.installed(plugins, Kind.STORAGE) + ")");
        }
        for (Kind kind : JobRun.kindsUsedBy(next)) {
            VersionRange range = next.versions().of(kind);
            if (range != null && !range.equals(current.versions().of(kind)) && next.plugin(plugins, kind).isEmpty()) {
                throw InvalidConfigurationException.of(PluginVersions.PROPERTIES.get(kind), range, "the job's state can move only to a plugin"
                        + " installed now, and no " + next.pluginName(kind) + " in that range is (" + next.installed(plugins, kind) + ")");
            }
        }
    }
}
