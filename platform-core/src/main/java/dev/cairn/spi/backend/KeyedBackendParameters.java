package dev.cairn.spi.backend;

import dev.cairn.api.serialization.TypeSerializer;
import java.nio.file.Path;
import java.util.Map;

/** Everything a keyed backend of one operator subtask is created with. */
public record KeyedBackendParameters<K>(String jobName, String operatorUid, int subtaskIndex,
                                        TypeSerializer<K> keySerializer, KeyGroupRange keyGroupRange,
                                        int maxParallelism, Path workingDirectory, Map<String, String> config,
                                        ClassLoader userClassLoader, RestoreContext restore) {
}
