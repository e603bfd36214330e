package dev.cairn.storage.azure;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Snapshot storage on Azure Blob Storage ({@code job.storage=azure}). The platform-wide settings come from
 * ConfigAdmin ({@code cairn.storage.azure}); a job picks its container and prefix with
 * {@code storage.container} and {@code storage.prefix}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = AzureStorageProvider.PID,
        property = "cairn.storage=" + AzureStorageProvider.NAME)
@Designate(ocd = AzureStorageConfiguration.class)
public final class AzureStorageProvider implements SnapshotStorageProvider {

    static final String NAME = "azure";
    static final String PID = "cairn.storage.azure";
    private static final Logger LOG = Logger.getLogger(AzureStorageProvider.class.getName());

    private volatile Map<String, Object> platformSettings;

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public AzureStorageProvider() {
        this(Map.of());
    }

    @Activate
    public AzureStorageProvider(Map<String, ?> properties) {
        platformSettings = AzureSettings.ownKeys(properties);
        check();
    }

    @Modified
    void modified(Map<String, ?> properties) {
        platformSettings = AzureSettings.ownKeys(properties);
        check();
    }

    /** Reports a bad platform-wide value at once, rather than at the first job's start. */
    private void check() {
        try {
            AzureSettings.of(platformSettings, Map.of("container", "placeholder"));
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused; jobs on azure will not start until it is fixed: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SnapshotStorage open(Map<String, String> config) throws IOException {
        return new AzureSnapshotStorage(AzureSettings.of(platformSettings, config));
    }
}
