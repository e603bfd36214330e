package dev.cairn.core.internal.catalog;

import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code _metadata} file of a snapshot: what people read with {@code cairn snapshot show} and
 * what a restore starts from. Every file path is relative to the snapshot's base: the job
 * directory for checkpoints (so that they can reference {@code shared/}), the savepoint's own
 * directory for savepoints (so that they can be moved). {@code inlined} holds the content of small
 * files by path: they exist only here, not as objects of their own.
 */
public record SnapshotMetadata(int formatVersion, long snapshotId, SnapshotKind kind, String name, String format,
                               String backend, String jobName, long timestamp, int maxParallelism,
                               Map<String, String> jobConfig, List<OperatorSnapshot> operators,
                               Map<String, byte[]> inlined) {

    public SnapshotMetadata {
        inlined = inlined == null ? Map.of() : Map.copyOf(inlined);
    }

    /** 2: keyed state handles are typed (sections of the shared layout, or a backend's native files). */
    public static final int CURRENT_FORMAT_VERSION = 2;
    /**
     * 3: version 2 with records in flight (an unaligned checkpoint's), written only then, so that a
     * platform that cannot replay them refuses the snapshot instead of dropping them.
     */
    public static final int IN_FLIGHT_FORMAT_VERSION = 3;

    /**
     * @param keySerializer the keyed operator's key serializer, {@code null} for an operator without
     *                      keys (and in snapshots written before it was recorded)
     */
    public record OperatorSnapshot(String uid, int parallelism, List<SubtaskSnapshot> subtasks,
                                   dev.cairn.spi.snapshot.SerializerSnapshotRef keySerializer) {
    }

    /**
     * Any part may be {@code null} when the subtask has no such state; {@code inFlight}: the records
     * an unaligned checkpoint found queued before the subtask's input barriers.
     */
    public record SubtaskSnapshot(int index, KeyedStateHandle keyedState, OperatorStateHandle operatorState, InFlightHandle inFlight) {
        public SubtaskSnapshot(int index, KeyedStateHandle keyedState, OperatorStateHandle operatorState) {
            this(index, keyedState, operatorState, null);
        }
    }

    public OperatorSnapshot operator(String uid) {
        return operators.stream().filter(o -> o.uid().equals(uid)).findFirst().orElse(null);
    }

    /** Every file the snapshot references, relative to its base. */
    public Set<String> referencedFiles() {
        Set<String> files = new LinkedHashSet<>();
        for (OperatorSnapshot op : operators) {
            for (SubtaskSnapshot st : op.subtasks()) {
                if (st.keyedState() != null) {
                    st.keyedState().storedFiles().stream().map(FileRef::path).forEach(files::add);
                    List<KeyedStateHandle> parts = st.keyedState() instanceof ChangelogHandle c ? c.materialized() : List.of(st.keyedState());
                    for (KeyedStateHandle part : parts) {
                        if (part instanceof KeyGroupSectionsHandle h) {
                            h.sections().forEach(s -> files.add(s.path()));
                        }
                    }
                    if (st.keyedState() instanceof ChangelogHandle c) {
                        c.changes().forEach(s -> files.add(s.path()));
                    }
                }
                if (st.operatorState() != null) {
                    files.add(st.operatorState().file().path());
                }
                if (st.inFlight() != null) {
                    files.add(st.inFlight().file().path());
                }
            }
        }
        return files;
    }

    /** Bytes of the files this snapshot references that {@code earlier} does not: what it wrote. */
    public long bytesNotIn(SnapshotMetadata earlier) {
        Set<String> old = earlier == null ? Set.of() : earlier.referencedFiles();
        return fileSizes().entrySet().stream().filter(e -> !old.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }

    private Map<String, Long> fileSizes() {
        Map<String, Long> sizes = new java.util.HashMap<>();
        for (OperatorSnapshot op : operators) {
            for (SubtaskSnapshot st : op.subtasks()) {
                if (st.keyedState() != null) {
                    st.keyedState().storedFiles().forEach(f -> sizes.put(f.path(), f.size()));
                }
                if (st.operatorState() != null) {
                    sizes.put(st.operatorState().file().path(), st.operatorState().file().size());
                }
                if (st.inFlight() != null) {
                    sizes.put(st.inFlight().file().path(), st.inFlight().file().size());
                }
            }
        }
        return sizes;
    }

    /** Bytes of records in flight the snapshot holds (an unaligned checkpoint's). */
    public long inFlightSize() {
        return operators.stream().flatMap(o -> o.subtasks().stream()).filter(st -> st.inFlight() != null)
                .mapToLong(st -> st.inFlight().file().size()).sum();
    }

    public long totalSize() {
        return fileSizes().values().stream().mapToLong(Long::longValue).sum();
    }
}
