package dev.cairn.spi.backend;

import dev.cairn.api.serialization.TypeSerializer;
import java.nio.file.Path;
import java.util.Map;

/**
 * Everything a keyed backend of one operator subtask is created with.
 *
 * @param background where the backend may write between checkpoints (since 1.1)
 */
public record KeyedBackendParameters<K>(String jobName, String operatorUid, int subtaskIndex,
                                        TypeSerializer<K> keySerializer, KeyGroupRange keyGroupRange,
                                        int maxParallelism, Path workingDirectory, Map<String, String> config,
                                        ClassLoader userClassLoader, RestoreContext restore, BackgroundSnapshots background) {

    /** Without writes between checkpoints. */
    public KeyedBackendParameters(String jobName, String operatorUid, int subtaskIndex, TypeSerializer<K> keySerializer,
                                  KeyGroupRange keyGroupRange, int maxParallelism, Path workingDirectory, Map<String, String> config,
                                  ClassLoader userClassLoader, RestoreContext restore) {
        this(jobName, operatorUid, subtaskIndex, keySerializer, keyGroupRange, maxParallelism, workingDirectory, config,
                userClassLoader, restore, BackgroundSnapshots.NONE);
    }

    /**
     * The same parameters with another restore and working directory: what a wrapping backend
     * gives the backend it wraps.
     *
     * @since 1.1
     */
    public KeyedBackendParameters<K> with(RestoreContext otherRestore, Path otherWorkingDirectory) {
        return new KeyedBackendParameters<>(jobName, operatorUid, subtaskIndex, keySerializer, keyGroupRange, maxParallelism,
                otherWorkingDirectory, config, userClassLoader, otherRestore, background);
    }
}
