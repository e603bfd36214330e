package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.KeyedStateHandle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The asynchronous part of a snapshot, run on the I/O pool while the task goes on processing.
 * On failure it removes what it wrote.
 */
@ConsumerType
@FunctionalInterface
public interface AsyncSnapshot {
    KeyedStateHandle write() throws Exception;
}
