package dev.cairn.spi.storage;

import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/** A storage plugin, registered as a service with property {@code cairn.storage=<name>}. */
@ConsumerType
public interface SnapshotStorageProvider {
    String name();

    /**
     * Opens the storage a job's configuration describes.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    SnapshotStorage open(Map<String, String> config) throws java.io.IOException;

    /**
     * Checks a job's storage settings as {@link #open} would, without reaching the storage: the
     * platform calls it when a job is created or changed, so a bad value is refused before anything
     * runs. The default checks nothing.
     *
     * @throws IllegalArgumentException naming the property, the value and what is allowed
     */
    default void validate(Map<String, String> config) {
    }
}
