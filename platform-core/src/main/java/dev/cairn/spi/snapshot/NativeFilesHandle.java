package dev.cairn.spi.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import java.util.List;

/**
 * Keyed state as a backend's own files (RocksDB: SST files, MANIFEST, logs), which only backend
 * {@code backend} reads.
 */
public record NativeFilesHandle(String backend, KeyGroupRange keyGroupRange, List<StateMetaInfo> states,
                                List<NativeFile> files) implements KeyedStateHandle {
    public NativeFilesHandle {
        states = List.copyOf(states);
        files = List.copyOf(files);
    }

    @Override
    public List<FileRef> storedFiles() {
        return files.stream().map(NativeFile::stored).toList();
    }
}
