package dev.cairn.spi.storage;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A storage plugin's provider with a platform-wide configuration (a ConfigAdmin pid described by
 * Metatype) that each job's {@code storage.*} properties may override. It keeps the plugin's own
 * keys of the configuration, reports a bad platform-wide value as soon as it arrives, and
 * validates every job's settings before opening a storage.
 *
 * @param <S> the plugin's validated settings
 */
public abstract class ConfiguredStorageProvider<S> implements SnapshotStorageProvider {

    private static final Logger LOG = Logger.getLogger(ConfiguredStorageProvider.class.getName());

    private final String name;
    private final String pid;
    private final Set<String> platformKeys;
    private volatile Map<String, Object> platformSettings;

    /**
     * @param platformKeys the keys of the plugin's configuration; anything else in the dictionary is ignored
     * @param properties   the configuration (empty without OSGi)
     */
    protected ConfiguredStorageProvider(String name, String pid, Set<String> platformKeys, Map<String, ?> properties) {
        this.name = name;
        this.pid = pid;
        this.platformKeys = platformKeys;
        configure(properties);
    }

    /**
     * Validates the platform-wide settings with a job's overrides.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    protected abstract S settings(Map<String, Object> platform, Map<String, String> job);

    protected abstract SnapshotStorage open(S settings) throws IOException;

    /** The least a job must add to the platform-wide settings (e.g. a bucket), to check those on their own. */
    protected abstract Map<String, String> minimalJobSettings();

    /** Takes a new configuration (call it from the component's {@code @Modified} method). */
    protected final void configure(Map<String, ?> properties) {
        platformSettings = StorageSettings.select(properties, platformKeys);
        try {
            settings(platformSettings, minimalJobSettings());
        } catch (IllegalArgumentException e) {
            // reported now rather than at the first job's start; the job then fails with the same message
            LOG.warning("Configuration " + pid + " refused; jobs on " + name + " will not start until it is fixed: " + e.getMessage());
        }
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void validate(Map<String, String> config) {
        settings(platformSettings, config);
    }

    @Override
    public final SnapshotStorage open(Map<String, String> config) throws IOException {
        return open(settings(platformSettings, config));
    }
}
