package dev.cairn.storage.gcs;

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
 * Snapshot storage on Google Cloud Storage ({@code job.storage=gcs}). The platform-wide settings come from
 * ConfigAdmin ({@code cairn.storage.gcs}); a job picks its bucket and prefix with
 * {@code storage.bucket} and {@code storage.prefix}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = GcsStorageProvider.PID,
        property = "cairn.storage=" + GcsStorageProvider.NAME)
@Designate(ocd = GcsStorageConfiguration.class)
public final class GcsStorageProvider extends ConfiguredStorageProvider<GcsSettings> {

    static final String NAME = "gcs";
    static final String PID = "cairn.storage.gcs";

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public GcsStorageProvider() {
        this(Map.of());
    }

    @Activate
    public GcsStorageProvider(Map<String, ?> properties) {
        super(NAME, PID, GcsSettings.PLATFORM_KEYS, properties);
    }

    @Modified
    void modified(Map<String, ?> properties) {
        configure(properties);
    }

    @Override
    protected GcsSettings settings(Map<String, Object> platform, Map<String, String> job) {
        return GcsSettings.of(platform, job);
    }

    @Override
    protected Map<String, String> minimalJobSettings() {
        return Map.of("bucket", "placeholder");
    }

    @Override
    protected SnapshotStorage open(GcsSettings settings) throws IOException {
        return new GcsSnapshotStorage(settings);
    }
}
