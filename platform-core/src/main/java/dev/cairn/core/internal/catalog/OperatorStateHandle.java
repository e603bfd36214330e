package dev.cairn.core.internal.catalog;

import dev.cairn.spi.snapshot.FileRef;
import java.util.List;

/** The operator state of one subtask: one file, and where each state's elements start in it. */
public record OperatorStateHandle(FileRef file, List<StateEntry> states) {

    /** @param mode SPLIT (list state) or UNION */
    public record StateEntry(String name, String mode, dev.cairn.spi.snapshot.SerializerSnapshotRef serializer,
                             long offset, int count) {
    }
}
