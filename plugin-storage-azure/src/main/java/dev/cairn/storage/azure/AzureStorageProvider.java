package dev.cairn.storage.azure;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.ConfiguredStorageProvider;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import java.io.IOException;
import java.util.Map;
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
public final class AzureStorageProvider extends ConfiguredStorageProvider<AzureSettings> {

    static final String NAME = "azure";
    static final String PID = "cairn.storage.azure";

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public AzureStorageProvider() {
        this(Map.of());
    }

    @Activate
    public AzureStorageProvider(Map<String, ?> properties) {
        super(NAME, PID, AzureSettings.PLATFORM_KEYS, properties);
    }

    @Modified
    void modified(Map<String, ?> properties) {
        configure(properties);
    }

    @Override
    protected AzureSettings settings(Map<String, Object> platform, Map<String, String> job) {
        return AzureSettings.of(platform, job);
    }

    @Override
    protected Map<String, String> minimalJobSettings() {
        return Map.of("container", "placeholder");
    }

    @Override
    protected SnapshotStorage open(AzureSettings settings) throws IOException {
        return new AzureSnapshotStorage(settings);
    }
}
