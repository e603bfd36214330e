package dev.cairn.storage.s3;

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
 * Snapshot storage on S3 ({@code job.storage=s3}). The platform-wide settings come from
 * ConfigAdmin ({@code cairn.storage.s3}); a job picks its bucket and prefix with
 * {@code storage.bucket} and {@code storage.prefix}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = S3StorageProvider.PID,
        property = "cairn.storage=" + S3StorageProvider.NAME)
@Designate(ocd = S3StorageConfiguration.class)
public final class S3StorageProvider extends ConfiguredStorageProvider<S3Settings> {

    static final String NAME = "s3";
    static final String PID = "cairn.storage.s3";

    /** For use without OSGi (ServiceLoader): every setting comes from the job, credentials from the default chain. */
    public S3StorageProvider() {
        this(Map.of());
    }

    @Activate
    public S3StorageProvider(Map<String, ?> properties) {
        super(NAME, PID, S3Settings.PLATFORM_KEYS, properties);
    }

    @Modified
    void modified(Map<String, ?> properties) {
        configure(properties);
    }

    @Override
    protected S3Settings settings(Map<String, Object> platform, Map<String, String> job) {
        return S3Settings.of(platform, job);
    }

    @Override
    protected Map<String, String> minimalJobSettings() {
        return Map.of("bucket", "placeholder");
    }

    @Override
    protected SnapshotStorage open(S3Settings settings) throws IOException {
        return new S3SnapshotStorage(settings);
    }
}
