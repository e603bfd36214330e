package dev.cairn.spi.backend;

import dev.cairn.spi.snapshot.KeyedStateHandle;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The asynchronous part of a snapshot, run on the I/O pool while the task goes on processing.
 * On failure it removes what it wrote. One that is also {@link AutoCloseable} is closed when it
 * fails or never runs (since spi.backend 1.4): it releases what the synchronous part captured.
 */
@ConsumerType
@FunctionalInterface
public interface AsyncSnapshot {
    KeyedStateHandle write() throws Exception;
}
