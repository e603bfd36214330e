package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state as a changelog keeps it: the wrapped backend's last materialisation and the
 * changes logged since. Restoring restores the materialisation with the wrapped backend, then
 * applies each key group's changes in order.
 *
 * @param backend      the wrapped backend's name
 * @param materialized the wrapped backend's handles the changes apply to: none before the first
 *                     materialisation, several after subtasks were merged (each covers its own key groups)
 * @param changes      sections of log files, each holding one key group's changes in the order
 *                     they were made; a key group's sections are listed in log order
 * @param changeFiles  every log file a section lies in
 * @since 1.3
 */
public record ChangelogHandle(String backend, KeyGroupRange keyGroupRange, List<StateMetaInfo> states,
                              List<KeyedStateHandle> materialized, List<KeyGroupSection> changes,
                              List<FileRef> changeFiles) implements KeyedStateHandle {
    public ChangelogHandle {
        states = List.copyOf(states);
        materialized = List.copyOf(materialized);
        changes = List.copyOf(changes);
        changeFiles = List.copyOf(changeFiles);
        for (KeyedStateHandle h : materialized) {
            if (h instanceof ChangelogHandle) {
                throw new IllegalArgumentException("A changelog's materialisation is the wrapped backend's own handle, not another changelog");
            }
        }
    }

    @Override
    public List<FileRef> storedFiles() {
        Map<String, FileRef> files = new LinkedHashMap<>();
        for (KeyedStateHandle h : materialized) {
            h.storedFiles().forEach(f -> files.putIfAbsent(f.path(), f));
        }
        changeFiles.forEach(f -> files.putIfAbsent(f.path(), f));
        return new ArrayList<>(files.values());
    }
}
