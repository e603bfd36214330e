package dev.cairn.backend.changelog;

import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.util.Set;
import java.util.stream.Collectors;

/** What the conformance kit counts as written by a checkpoint of a changelog that materialises in the background. */
final class MaterializingConformance {
    private MaterializingConformance() {
    }

    /**
     * The log files {@code second} references and {@code first} did not: a materialisation it
     * builds on was written in the background, not by the checkpoint.
     */
    static long logBytesWrittenFor(KeyedStateHandle second, KeyedStateHandle first) {
        Set<String> before = first.storedFiles().stream().map(FileRef::path).collect(Collectors.toSet());
        return ((ChangelogHandle) second).changeFiles().stream().filter(f -> !before.contains(f.path())).mapToLong(FileRef::size).sum();
    }
}
