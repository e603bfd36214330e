package dev.cairn.storage.gcs;

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
 * Snapshot storage on Google Cloud Storage ({@code job.storage=gcs}). The platform-wide settings come from
 * ConfigAdmin ({@code cairn.storage.gcs}); a job picks its bucket and prefix with
 * {@code storage.bucket} and {@code storage.prefix}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = GcsStorageProvider.PID,
        property = "cairn.storage=" + GcsStorageProvider.NAME)
@Designate(ocd = GcsStorageConfiguration.class)
public final class GcsStorageProvider implements SnapshotStorageProvider {

    static final String NAME = "gcs";
    static final String PID = "cairn.storage.gcs";
    private static final Logger LOG = Logger.getLogger(GcsStorageProvider.class.getName());

    private volatile Map<String, Object> platformSettings;

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public GcsStorageProvider() {
        this(Map.of());
    }

    @Activate
    public GcsStorageProvider(Map<String, ?> properties) {
        platformSettings = GcsSettings.ownKeys(properties);
        check();
    }

    @Modified
    void modified(Map<String, ?> properties) {
        platformSettings = GcsSettings.ownKeys(properties);
        check();
    }

    /** Reports a bad platform-wide value at once, rather than at the first job's start. */
    private void check() {
        try {
            GcsSettings.of(platformSettings, Map.of("bucket", "placeholder"));
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused; jobs on gcs will not start until it is fixed: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SnapshotStorage open(Map<String, String> config) throws IOException {
        return new GcsSnapshotStorage(GcsSettings.of(platformSettings, config));
    }
}
