package dev.cairn.storage.s3;

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
 * Snapshot storage on S3 ({@code job.storage=s3}). The platform-wide settings come from
 * ConfigAdmin ({@code cairn.storage.s3}); a job picks its bucket and prefix with
 * {@code storage.bucket} and {@code storage.prefix}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = S3StorageProvider.PID,
        property = "cairn.storage=" + S3StorageProvider.NAME)
@Designate(ocd = S3StorageConfiguration.class)
public final class S3StorageProvider implements SnapshotStorageProvider {

    static final String NAME = "s3";
    static final String PID = "cairn.storage.s3";
    private static final Logger LOG = Logger.getLogger(S3StorageProvider.class.getName());

    private volatile Map<String, Object> platformSettings;

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public S3StorageProvider() {
        this(Map.of());
    }

    @Activate
    public S3StorageProvider(Map<String, ?> properties) {
        platformSettings = S3Settings.ownKeys(properties);
        check();
    }

    @Modified
    void modified(Map<String, ?> properties) {
        platformSettings = S3Settings.ownKeys(properties);
        check();
    }

    /** Reports a bad platform-wide value at once, rather than at the first job's start. */
    private void check() {
        try {
            S3Settings.of(platformSettings, Map.of("bucket", "placeholder-bucket"));
        } catch (IllegalArgumentException e) {
            LOG.warning("Configuration " + PID + " refused; jobs on s3 will not start until it is fixed: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SnapshotStorage open(Map<String, String> config) throws IOException {
        return new S3SnapshotStorage(S3Settings.of(platformSettings, config));
    }
}
