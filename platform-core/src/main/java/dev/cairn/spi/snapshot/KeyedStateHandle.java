package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.List;
import java.util.Map;

/**
 * The keyed state of one subtask in a snapshot.
 *
 * @param sections   per key group, where its bytes are (backends with key-group files)
 * @param files      every file this handle references, for ownership and retention
 * @param properties backend-specific facts (kept small; shown by {@code cairn snapshot show})
 */
public record KeyedStateHandle(String backend, String format, KeyGroupRange keyGroupRange,
                               List<StateMetaInfo> states, List<KeyGroupSection> sections,
                               List<FileRef> files, Map<String, String> properties) {
    public KeyedStateHandle {
        states = List.copyOf(states);
        sections = List.copyOf(sections);
        files = List.copyOf(files);
        properties = Map.copyOf(properties);
    }
}
