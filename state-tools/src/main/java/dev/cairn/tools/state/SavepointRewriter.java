package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.catalog.StorageSnapshotStreams;
import dev.cairn.core.internal.snapshot.KeyGroupSnapshotWriter;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyGroups;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a new savepoint from a snapshot: {@code convert} into another section format,
 * {@code rewrite} with another key-group count, operators renamed or dropped, states renamed or
 * dropped. The input is only read; the output is a self-contained {@link NewSavepoint}.
 *
 * <p>Keyed state is written as key-group sections in the chosen format, so any backend restores
 * it. A native snapshot is read through its backend; a new key-group count re-hashes entries from
 * sections (the kernel's restore code does), so a native one is converted into sections first.
 */
final class SavepointRewriter {

    /** What was written: the new savepoint, its size, how much was read, and how long it took. */
    record Written(Path directory, long bytesWritten, long bytesRead, long nanos, int operators, long entries) {
    }

    private final OpenedSnapshot opened;
    private final ClassLoader loader;

    SavepointRewriter(OpenedSnapshot opened, ClassLoader loader) {
        this.opened = opened;
        this.loader = loader;
    }

    Written write(Path target, SnapshotFormat format, SavepointChanges asked) throws ToolException, IOException {
        long start = System.nanoTime();
        SnapshotMetadata in = opened.metadata();
        SavepointChanges changes = asked.withMaxParallelism(asked.maxParallelismFor(in.maxParallelism()));
        checkChanges(changes);
        if (changes.maxParallelism() != in.maxParallelism() && !NativeSavepointWriter.sectionsOnly(opened)) {
            return regroupNative(target, format, changes, start);
        }
        NewSavepoint written = NewSavepoint.at(target, opened);
        try {
            StorageSnapshotReader reader = new StorageSnapshotReader(opened.storage(), opened.snapshot());
            List<SnapshotMetadata.OperatorSnapshot> operators = new ArrayList<>();
            long[] entries = {0};
            long[] read = {0};
            for (SnapshotMetadata.OperatorSnapshot op : in.operators()) {
                if (changes.droppedOperators().contains(op.uid())) {
                    continue;
                }
                String uid = changes.operatorRenames().getOrDefault(op.uid(), op.uid());
                boolean keyed = op.subtasks().stream().anyMatch(st -> st.keyedState() != null);
                OperatorKeyedState keyedState = keyed ? OperatorKeyedState.open(opened, op.uid(),
                        new KeyGroupRange(0, in.maxParallelism() - 1), loader) : null;
                try {
                    List<SnapshotMetadata.SubtaskSnapshot> subtasks = new ArrayList<>();
                    for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                        StorageSnapshotStreams out = written.streams(uid, st.index());
                        KeyedStateHandle keyedHandle = null;
                        if (keyedState != null) {
                            KeyGroupRange range = KeyGroups.rangeForSubtask(changes.maxParallelism(), op.parallelism(), st.index());
                            KeyGroupEntries source = changes.maxParallelism() == in.maxParallelism() ? keyedState.entries(range)
                                    : keyedState.regrouped(range, changes.maxParallelism());
                            KeyGroupEntries view = new RenamedStates(op.uid(), source, changes, entries);
                            keyedHandle = KeyGroupSnapshotWriter.write(view, range, format, out);
                        }
                        subtasks.add(new SnapshotMetadata.SubtaskSnapshot(st.index(), keyedHandle, NativeSavepointWriter.copyOperatorState(st.operatorState(), reader, out)));
                    }
                    operators.add(new SnapshotMetadata.OperatorSnapshot(uid, op.parallelism(), subtasks, op.keySerializer()));
                } finally {
                    if (keyedState != null) {
                        read[0] += keyedState.bytesRead();
                        keyedState.close();
                    }
                }
            }
            long bytes = written.commit(in.snapshotId(), format.name(), in.backend(), in.jobName(), changes.maxParallelism(), in.jobConfig(),
                    operators);
            return new Written(written.directory(), bytes, read[0], System.nanoTime() - start, operators.size(), entries[0]);
        } catch (ToolException | IOException | RuntimeException e) {
            written.abandon();
            throw e;
        }
    }

    /**
     * A new key-group count re-hashes entries from sections: a backend's native files are first
     * converted into a temporary savepoint of sections, which is then rewritten.
     */
    private Written regroupNative(Path target, SnapshotFormat format, SavepointChanges changes, long start) throws ToolException, IOException {
        NewSavepoint.at(target, opened); // refuses a target that exists or lies in a job's directory before any work
        try (ScratchDirectory scratch = new ScratchDirectory("cairn-convert-")) {
            Written converted = write(scratch.path().resolve("sections"), format, SavepointChanges.none());
            Written done = new SavepointRewriter(OpenedSnapshot.open(converted.directory().toString()), loader).write(target, format, changes);
            return new Written(done.directory(), done.bytesWritten(), converted.bytesRead() + done.bytesRead(), System.nanoTime() - start,
                    done.operators(), done.entries());
        }
    }

    private void checkChanges(SavepointChanges changes) throws ToolException {
        SnapshotMetadata in = opened.metadata();
        Set<String> uids = new java.util.TreeSet<>();
        in.operators().forEach(o -> uids.add(o.uid()));
        for (String uid : concat(changes.operatorRenames().keySet(), changes.droppedOperators())) {
            if (!uids.contains(uid)) {
                throw new ToolException(opened.location() + " has no operator '" + uid + "' (operators: " + String.join(", ", uids) + ")");
            }
        }
        for (String renamed : changes.operatorRenames().values()) {
            if (uids.contains(renamed) && !changes.operatorRenames().containsKey(renamed) && !changes.droppedOperators().contains(renamed)) {
                throw new ToolException("cannot rename an operator to '" + renamed + "': the snapshot has an operator of that name");
            }
        }
        for (String key : concat(changes.stateRenames().keySet(), changes.droppedStates())) {
            int slash = key.indexOf('/');
            String uid = key.substring(0, slash);
            SnapshotMetadata.OperatorSnapshot op = OperatorKeyedState.operator(opened, uid);
            String state = key.substring(slash + 1);
            Set<String> names = stateNames(op);
            if (!names.contains(state)) {
                throw new ToolException("operator '" + uid + "' has no keyed state '" + state + "' (states: " + String.join(", ", names) + ")");
            }
        }
        Set<String> newUids = new java.util.HashSet<>();
        for (SnapshotMetadata.OperatorSnapshot op : in.operators()) {
            if (!changes.droppedOperators().contains(op.uid())) {
                String uid = changes.operatorRenames().getOrDefault(op.uid(), op.uid());
                if (!newUids.add(uid)) {
                    throw new ToolException("two operators would be named '" + uid + "' in the new savepoint: rename or drop one of them");
                }
                Set<String> newStates = new java.util.HashSet<>();
                for (String state : stateNames(op)) {
                    String key = SavepointChanges.stateKey(op.uid(), state);
                    if (!changes.droppedStates().contains(key) && !newStates.add(changes.stateRenames().getOrDefault(key, state))) {
                        throw new ToolException("two states of operator '" + op.uid() + "' would be named '"
                                + changes.stateRenames().getOrDefault(key, state) + "' in the new savepoint: rename or drop one of them");
                    }
                }
            }
        }
        if (changes.maxParallelism() < 1 || changes.maxParallelism() > 32_768) {
            throw new ToolException("--max-parallelism " + changes.maxParallelism() + " is not allowed: 1 to 32768 key groups");
        }
        if (changes.maxParallelism() != in.maxParallelism()) {
            for (SnapshotMetadata.OperatorSnapshot op : in.operators()) {
                if (changes.maxParallelism() < op.parallelism()) {
                    throw new ToolException("--max-parallelism " + changes.maxParallelism() + " is below the parallelism " + op.parallelism()
                            + " of operator '" + op.uid() + "': every subtask needs a key group");
                }
            }
        }
    }

    private static Set<String> stateNames(SnapshotMetadata.OperatorSnapshot op) {
        Set<String> names = new java.util.TreeSet<>();
        op.subtasks().stream().filter(st -> st.keyedState() != null).forEach(st -> st.keyedState().states().forEach(s -> names.add(s.name())));
        return names;
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The states of one operator's entries with the renames and drops applied; counts what passes. */
    private static final class RenamedStates implements KeyGroupEntries {
        private final KeyGroupEntries inner;
        private final List<StateMetaInfo> states = new ArrayList<>();
        private final int[] map;
        private final long[] counted;

        RenamedStates(String uid, KeyGroupEntries inner, SavepointChanges changes, long[] counted) {
            this.inner = inner;
            this.counted = counted;
            List<StateMetaInfo> old = inner.states();
            map = new int[old.size()];
            for (int i = 0; i < map.length; i++) {
                StateMetaInfo m = old.get(i);
                String key = SavepointChanges.stateKey(uid, m.name());
                if (changes.droppedStates().contains(key)) {
                    map[i] = -1;
                    continue;
                }
                String name = changes.stateRenames().getOrDefault(key, m.name());
                states.add(new StateMetaInfo(name, m.kind(), m.namespaceSerializer(), m.valueSerializer(), m.mapKeySerializer(), m.ttl()));
                map[i] = states.size() - 1;
            }
        }

        @Override
        public List<StateMetaInfo> states() {
            return states;
        }

        @Override
        public KeyGroupRange keyGroupRange() {
            return inner.keyGroupRange();
        }

        @Override
        public void read(int keyGroup, StateEntrySink sink) throws IOException {
            inner.read(keyGroup, new StateEntrySink() {
                @Override
                public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) throws IOException {
                    if (map[state] >= 0) {
                        counted[0]++;
                        sink.accept(map[state], key, namespace, mapKey, value);
                    }
                }

                @Override
                public void accept(int state, byte[] parts, int k, int n, int mk, int v) throws IOException {
                    if (map[state] >= 0) {
                        counted[0]++;
                        sink.accept(map[state], parts, k, n, mk, v);
                    }
                }
            });
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
