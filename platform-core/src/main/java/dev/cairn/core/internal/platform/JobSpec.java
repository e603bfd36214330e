package dev.cairn.core.internal.platform;

import dev.cairn.api.job.CheckpointConfig;
import dev.cairn.api.job.ClaimMode;
import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.RestartStrategy;
import dev.cairn.api.job.RestoreSettings;
import dev.cairn.core.internal.platform.PluginTracker.Kind;
import dev.cairn.core.internal.platform.PluginTracker.Plugin;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.osgi.framework.VersionRange;

/**
 * A validated job instance configuration. {@link #parse} is the only way in: whatever reaches a
 * job went through it, so a bad value is refused before it can touch a running job.
 */
public record JobSpec(String name, String definition, DesiredState desiredState, JobConfig config,
               Map<String, String> parameters, boolean changelog, PluginVersions versions, Placement placement, int inputPartition) {

    /**
     * How a job is shared between platform processes by partition: the placement plugin
     * ({@code job.placement}) and its settings ({@code placement.*} without the prefix).
     */
    public record Placement(String plugin, Map<String, String> settings) {
        public Placement {
            settings = Map.copyOf(settings);
        }
    }

    /** How the range of partition {@code p} of a job shared by partition is named. */
    static final String RANGE_INFIX = ".range-";
    private static final Pattern RANGE_NAME = Pattern.compile(".*" + Pattern.quote(RANGE_INFIX) + "\\d+");
    /** Room {@link #RANGE_INFIX} and a partition number take in a job's name. */
    private static final int RANGE_NAME_ROOM = RANGE_INFIX.length() + 5;

    /** The plugin that wraps the job's backend when {@code job.changelog} is on. */
    static final String CHANGELOG = "changelog";

    static final String FACTORY_PID = "cairn.job";
    static final String PARAM_PREFIX = "param.";
    static final String STORAGE_PREFIX = "storage.";
    static final String PLACEMENT_PREFIX = "placement.";

    public enum DesiredState { RUNNING, SUSPENDED }

    static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private static final Set<String> KNOWN = Set.of("job.name", "job.definition", "job.state", "job.parallelism",
            "job.max-parallelism", "job.backend", "job.changelog", "job.storage", "checkpoint.interval", "checkpoint.timeout",
            "checkpoint.min-pause", "checkpoint.max-concurrent", "checkpoint.tolerable-failures", "checkpoint.retained",
            "checkpoint.incremental", "checkpoint.inline-threshold", "checkpoint.unaligned", "checkpoint.aligned-timeout", "job.max-restarts", "job.restart-delay", "job.restart-strategy", "job.restart-max-delay",
            "job.restart-backoff-multiplier", "job.restart-reset-after", "job.restart-failure-interval", "job.fallback-to-previous-checkpoint",
            "job.definition.version", "job.backend.version", "job.storage.version", "job.changelog.version", "job.placement",
            "restore.path", "restore.claim-mode", "restore.allow-non-restored-state");

    /** Set by ConfigAdmin, DS and FileInstall rather than by users. */
    private static boolean isManaged(String key) {
        return key.startsWith("service.") || key.startsWith("component.") || key.startsWith("felix.fileinstall.")
                || key.startsWith("osgi.ds.") || key.endsWith(".target") || key.startsWith(".");
    }

    /**
     * @param fallbackName the configuration's own name, used when {@code job.name} is absent
     * @param defaultRoot  the kernel's storage root for {@code file} storage
     */
    static JobSpec parse(Map<String, ?> properties, String fallbackName, String defaultRoot) throws InvalidConfigurationException {
        for (String key : new TreeMap<>(properties).keySet()) {
            if (!KNOWN.contains(key) && !isManaged(key) && !key.startsWith(PARAM_PREFIX) && !key.startsWith(STORAGE_PREFIX)
                    && !key.startsWith(PLACEMENT_PREFIX)) {
                throw InvalidConfigurationException.of(key, properties.get(key),
                        "it is not a job property; use one of " + new java.util.TreeSet<>(KNOWN) + ", param.*, storage.* or placement.*");
            }
        }
        ConfigValues v = new ConfigValues(properties);
        String name = v.string("job.name", fallbackName);
        if (name == null || !JOB_NAME.matcher(name).matches()) {
            throw InvalidConfigurationException.of("job.name", name, "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (RANGE_NAME.matcher(name).matches()) {
            throw InvalidConfigurationException.of("job.name", name, "names ending in " + RANGE_INFIX + "<number> are those of the ranges"
                    + " of jobs shared by partition (job.placement); choose another");
        }
        String definition = v.requiredString("job.definition", "name a registered job definition");
        DesiredState state = v.choice("job.state", DesiredState.RUNNING, DesiredState.class);
        int maxParallelism = v.integer("job.max-parallelism", 128, 1, JobConfig.MAX_MAX_PARALLELISM);
        int parallelism = v.integer("job.parallelism", 1, 1, maxParallelism);
        CheckpointConfig checkpoints = new CheckpointConfig(
                v.duration("checkpoint.interval", Duration.ofSeconds(10), Duration.ofMillis(10)),
                v.duration("checkpoint.timeout", Duration.ofMinutes(10), Duration.ofMillis(10)),
                v.duration("checkpoint.min-pause", Duration.ZERO, Duration.ZERO),
                v.integer("checkpoint.max-concurrent", 1, 1, 64),
                v.integer("checkpoint.tolerable-failures", 0, 0, Integer.MAX_VALUE),
                v.integer("checkpoint.retained", 1, 1, 10_000),
                v.bool("checkpoint.incremental", false),
                v.integer("checkpoint.inline-threshold", CheckpointConfig.DEFAULT_INLINE_THRESHOLD, 0, CheckpointConfig.MAX_INLINE_THRESHOLD),
                v.bool("checkpoint.unaligned", false),
                v.duration("checkpoint.aligned-timeout", Duration.ZERO, Duration.ZERO));
        Map<String, String> storageConfig = new LinkedHashMap<>();
        Map<String, String> params = new TreeMap<>();
        Map<String, String> placementSettings = new TreeMap<>();
        properties.forEach((k, val) -> {
            if (k.startsWith(STORAGE_PREFIX) && val != null) {
                storageConfig.put(k.substring(STORAGE_PREFIX.length()), val.toString());
            } else if (k.startsWith(PARAM_PREFIX) && val != null) {
                params.put(k.substring(PARAM_PREFIX.length()), val.toString());
            } else if (k.startsWith(PLACEMENT_PREFIX) && val != null) {
                placementSettings.put(k.substring(PLACEMENT_PREFIX.length()), val.toString());
            }
        });
        String storageName = v.string("job.storage", "file");
        if (storageName.equals("file") && storageConfig.getOrDefault("root", "").isBlank()) {
            // only the built-in storage has a local root; object stores name their bucket
            storageConfig.put("root", defaultRoot);
        }
        RestoreSettings restore = null;
        if (v.has("restore.path")) {
            restore = new RestoreSettings(v.string("restore.path", null),
                    v.choice("restore.claim-mode", ClaimMode.NO_CLAIM, ClaimMode.class),
                    v.bool("restore.allow-non-restored-state", false));
        } else {
            // still validated: a typo here must not wait until someone sets restore.path
            v.choice("restore.claim-mode", ClaimMode.NO_CLAIM, ClaimMode.class);
            v.bool("restore.allow-non-restored-state", false);
        }
        boolean changelog = v.bool("job.changelog", false);
        if (changelog && !checkpoints.incremental()) {
            throw InvalidConfigurationException.of("job.changelog", properties.get("job.changelog"),
                    "a changelog needs checkpoint.incremental=true (a full checkpoint rewrites all state, with or without a log)");
        }
        Placement placement = placement(v, name, parallelism, restore, placementSettings);
        try {
            JobConfig config = new JobConfig(parallelism, maxParallelism, v.string("job.backend", "heap"),
                    storageName, storageConfig, checkpoints, restartStrategy(v),
                    v.bool("job.fallback-to-previous-checkpoint", false), restore);
            return new JobSpec(name, definition, state, config, Map.copyOf(params), changelog, PluginVersions.parse(v), placement, -1);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /**
     * {@code job.placement}: each partition runs as a range of its own, at parallelism 1, named
     * {@code <job>.range-<partition>} and restored from its own ledger.
     */
    private static Placement placement(ConfigValues v, String name, int parallelism, RestoreSettings restore,
                                       Map<String, String> settings) throws InvalidConfigurationException {
        String plugin = v.string("job.placement", null);
        if (plugin == null || plugin.isBlank()) {
            if (!settings.isEmpty()) {
                String first = settings.keySet().iterator().next();
                throw InvalidConfigurationException.of(PLACEMENT_PREFIX + first, settings.get(first),
                        "placement.* properties configure job.placement, which is not set");
            }
            return null;
        }
        if (parallelism != 1) {
            throw InvalidConfigurationException.of("job.parallelism", parallelism, "with job.placement use 1: every partition a process"
                    + " is given runs as a range of its own at parallelism 1; a job grows by adding processes");
        }
        if (name.length() > 64 - RANGE_NAME_ROOM) {
            throw InvalidConfigurationException.of("job.name", name, "with job.placement use at most " + (64 - RANGE_NAME_ROOM)
                    + " characters: the ranges are named <job>" + RANGE_INFIX + "<partition>");
        }
        if (restore != null) {
            throw InvalidConfigurationException.of("restore.path", restore.snapshotPath(), "a job with job.placement restores each range from"
                    + " its own ledger; leave restore.path unset");
        }
        return new Placement(plugin.trim(), settings);
    }

    /** Whether this is the configuration of a job shared between processes by partition (not one of its ranges). */
    boolean sharedByPartition() {
        return placement != null && inputPartition < 0;
    }

    /** The range of partition {@code partition}: the same job, under its own name and ledger, reading only that partition. */
    public JobSpec forPartition(int partition) {
        return new JobSpec(name + RANGE_INFIX + partition, definition, desiredState, config, parameters, changelog, versions, placement,
                partition);
    }

    /** Whether this is a range of a job shared by partition. */
    boolean isRange() {
        return inputPartition >= 0;
    }

    /** For a range, the name of the shared job it belongs to; otherwise this job's name. */
    public String sharedJobName() {
        return inputPartition < 0 ? name : name.substring(0, name.lastIndexOf(RANGE_INFIX));
    }

    /** The strategies' names as {@code job.restart-strategy} takes them. */
    enum RestartStrategyName { FIXED_DELAY, EXPONENTIAL_DELAY, FAILURE_RATE }

    /** Every restart setting is validated, also those the chosen strategy does not read: a typo must not wait for a switch. */
    private static RestartStrategy restartStrategy(ConfigValues v) throws InvalidConfigurationException {
        RestartStrategyName name = v.choice("job.restart-strategy", RestartStrategyName.FIXED_DELAY, RestartStrategyName.class);
        // as Flink: exponential delay keeps trying unless told otherwise, the pauses growing by half each time
        int maxRestarts = v.integer("job.max-restarts", name == RestartStrategyName.EXPONENTIAL_DELAY ? Integer.MAX_VALUE : 3, 0, Integer.MAX_VALUE);
        Duration delay = v.duration("job.restart-delay", Duration.ofSeconds(1), Duration.ZERO);
        Duration maxDelay = v.duration("job.restart-max-delay", Duration.ofMinutes(1), Duration.ZERO);
        double multiplier = v.decimal("job.restart-backoff-multiplier", 1.5, 1.0);
        Duration resetAfter = v.duration("job.restart-reset-after", Duration.ofHours(1), Duration.ofMillis(1));
        Duration interval = v.duration("job.restart-failure-interval", Duration.ofMinutes(1), Duration.ofMillis(1));
        return switch (name) {
            case FIXED_DELAY -> RestartStrategy.fixedDelay(maxRestarts, delay);
            case EXPONENTIAL_DELAY -> RestartStrategy.exponentialDelay(delay, maxDelay, multiplier, resetAfter, maxRestarts);
            case FAILURE_RATE -> RestartStrategy.failureRate(maxRestarts, interval, delay);
        };
    }

    /** The name of the plugin of {@code kind} this job runs on. */
    String pluginName(Kind kind) {
        return switch (kind) {
            case DEFINITION -> definition;
            case BACKEND -> config.backend();
            case STORAGE -> config.storage();
            case DECORATOR -> CHANGELOG;
            case PLACEMENT -> placement == null ? "" : placement.plugin();
            case FORMAT -> throw new IllegalArgumentException("a job names no snapshot format");
        };
    }

    /** The installed plugin of {@code kind} this job gets: its name, in its version range. */
    Optional<Plugin> plugin(PluginTracker plugins, Kind kind) {
        return plugins.find(kind, pluginName(kind), versions.of(kind));
    }

    /** What the job wants of {@code kind}, for messages: "state backend 'rocksdb' in [1.2.0,2.0.0)". */
    String wanted(Kind kind) {
        String what = switch (kind) {
            case DEFINITION -> "job definition '" + definition + "'";
            case BACKEND -> "state backend '" + config.backend() + "'";
            case STORAGE -> "storage '" + config.storage() + "'";
            case DECORATOR -> "the changelog plugin (job.changelog=true)";
            case PLACEMENT -> "placement '" + pluginName(kind) + "' (job.placement)";
            case FORMAT -> throw new IllegalArgumentException("a job names no snapshot format");
        };
        VersionRange range = versions.of(kind);
        return range == null ? what : what + " in " + range + " (" + PluginVersions.PROPERTIES.get(kind) + ")";
    }

    /** What is installed in place of what {@link #wanted} names, for messages. */
    String installed(PluginTracker plugins, Kind kind) {
        return versions.of(kind) == null ? "installed: " + plugins.names(kind)
                : "installed: " + pluginName(kind) + " " + plugins.versions(kind, pluginName(kind));
    }

    /** Whether {@code other} runs the same job the same way; only the desired state may differ. */
    boolean sameRun(JobSpec other) {
        return definition.equals(other.definition) && config.equals(other.config) && parameters.equals(other.parameters)
                && changelog == other.changelog && java.util.Objects.equals(placement, other.placement) && inputPartition == other.inputPartition;
    }
}
