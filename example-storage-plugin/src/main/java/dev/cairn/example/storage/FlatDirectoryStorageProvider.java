package dev.cairn.example.storage;

import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.SnapshotStorageProvider;
import dev.cairn.spi.storage.StorageSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The service the kernel looks for: a {@link SnapshotStorageProvider} with the property
 * {@code cairn.storage=<name>}. Jobs select it with {@code job.storage=flatdir}.
 */
@Component(service = SnapshotStorageProvider.class, configurationPid = FlatDirectoryStorageProvider.PID,
        property = "cairn.storage=" + FlatDirectoryStorageProvider.NAME)
@Designate(ocd = FlatDirectoryConfiguration.class)
public final class FlatDirectoryStorageProvider implements SnapshotStorageProvider {

    static final String NAME = "flatdir";
    static final String PID = "cairn.storage.flatdir";

    private volatile Object platformDirectory;

    /** For use without OSGi (ServiceLoader): the job names the directory. */
    public FlatDirectoryStorageProvider() {
        this(Map.of());
    }

    @Activate
    public FlatDirectoryStorageProvider(Map<String, ?> properties) {
        platformDirectory = properties.get("directory");
    }

    @Modified
    void modified(Map<String, ?> properties) {
        platformDirectory = properties.get("directory");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SnapshotStorage open(Map<String, String> config) throws IOException {
        return new FlatDirectoryStorage(directory(config));
    }

    /** Called when a job is created or changed: a bad value is refused before the job runs. */
    @Override
    public void validate(Map<String, String> config) {
        directory(config);
    }

    private Path directory(Map<String, String> config) {
        // refuse what you do not know, naming the property, the value and what is allowed
        new StorageSettings("storage.", config).requireKnown(Set.of("directory"));
        Map<String, Object> merged = new HashMap<>();
        if (platformDirectory != null) {
            merged.put("directory", platformDirectory);
        }
        merged.putAll(config);
        StorageSettings settings = new StorageSettings("storage.", merged);
        String directory = settings.string("directory", "");
        if (directory.isEmpty() || !Path.of(directory).isAbsolute()) {
            throw settings.refused("directory", directory, "an absolute directory path");
        }
        return Path.of(directory);
    }
}
