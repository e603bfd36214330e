package dev.cairn.core.internal.task;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.OperatorStateStore;
import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.state.StateCompatibilityException;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Operator state of one subtask: named lists, split round-robin (SPLIT) or given whole (UNION)
 * to the subtasks of a rescaled restore. Small by nature, so it is kept and restored as objects.
 */
final class OperatorStateStoreImpl implements OperatorStateStore {

    static final String SPLIT = "SPLIT";
    static final String UNION = "UNION";

    /** The elements of one restored state this subtask received. */
    record Restored(String mode, SerializerSnapshotRef serializer, List<Object> elements) {
    }

    private record Registered(String mode, TypeSerializer<Object> serializer, List<Object> elements) {
    }

    /** A copy of the registered states taken by the synchronous part of a snapshot. */
    record Captured(String name, String mode, TypeSerializer<Object> serializer, List<Object> elements) {
    }

    private final String operatorUid;
    private final SerializerResolver serializers;
    private final Map<String, Restored> restored;
    private final Map<String, Registered> registered = new LinkedHashMap<>();

    OperatorStateStoreImpl(String operatorUid, SerializerResolver serializers, Map<String, Restored> restored) {
        this.operatorUid = operatorUid;
        this.serializers = serializers;
        this.restored = restored;
    }

    boolean isRestored() {
        return !restored.isEmpty();
    }

    @Override
    public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) throws IOException {
        return register(descriptor, SPLIT);
    }

    @Override
    public <T> ListState<T> getUnionListState(ListStateDescriptor<T> descriptor) throws IOException {
        return register(descriptor, UNION);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T> ListState<T> register(ListStateDescriptor<T> d, String mode) throws IOException {
        Registered r = registered.get(d.getName());
        if (r == null) {
            TypeSerializer<Object> serializer = (TypeSerializer) serializers.resolveFixed(d.getSerializer(), d.getType());
            List<Object> elements = new ArrayList<>();
            Restored old = restored.get(d.getName());
            if (old != null) {
                String where = "Operator state '" + d.getName() + "' of operator '" + operatorUid + "'";
                if (!old.mode().equals(mode)) {
                    throw new StateCompatibilityException(where + " is " + old.mode() + " list state in the snapshot, but the job declares it as " + mode);
                }
                TypeSerializerSnapshot snapshot = old.serializer().restore(getClass().getClassLoader(), serializers.classLoader());
                if (snapshot.resolveCompatibility(serializer) == SerializerCompatibility.INCOMPATIBLE) {
                    throw new StateCompatibilityException(where + ": its elements were written with serializer "
                            + old.serializer().serializer() + ", and the job now declares " + serializer.describe() + ", which cannot read them");
                }
                elements.addAll(old.elements());
            }
            r = new Registered(mode, serializer, elements);
            registered.put(d.getName(), r);
        } else if (!r.mode().equals(mode)) {
            throw new IllegalStateException("Operator state '" + d.getName() + "' is registered as both " + r.mode() + " and " + mode);
        }
        List<Object> list = r.elements();
        return new ListState<>() {
            public Iterable<T> get() {
                return (List<T>) List.copyOf(list);
            }

            public void add(T value) {
                list.add(java.util.Objects.requireNonNull(value, "operator state element"));
            }

            public void addAll(List<T> values) {
                list.addAll(values);
            }

            public void update(List<T> values) {
                list.clear();
                list.addAll(values);
            }

            public void clear() {
                list.clear();
            }
        };
    }

    /** Restored states the operator did not register. */
    Set<String> unclaimedRestoredStates() {
        Set<String> names = new HashSet<>(restored.keySet());
        names.removeAll(registered.keySet());
        return names;
    }

    List<Captured> capture() {
        List<Captured> result = new ArrayList<>();
        registered.forEach((name, r) -> result.add(new Captured(name, r.mode(), r.serializer(), List.copyOf(r.elements()))));
        return result;
    }

    /** The asynchronous part: writes captured states into one file; {@code null} when there is none. */
    static OperatorStateHandle write(List<Captured> states, SnapshotStreams streams) throws IOException {
        if (states.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        List<OperatorStateHandle.StateEntry> entries = new ArrayList<>();
        for (Captured c : states) {
            long offset = out.size();
            for (Object e : c.elements()) {
                c.serializer().serialize(e, out);
            }
            entries.add(new OperatorStateHandle.StateEntry(c.name(), c.mode(), SerializerSnapshotRef.of(c.serializer()), offset, c.elements().size()));
        }
        out.flush();
        try (SnapshotOutput file = streams.createOwned("operator-state.bin")) {
            bytes.writeTo(file);
            return new OperatorStateHandle(file.closeAndGetRef(), entries);
        }
    }

    /**
     * The share of subtask {@code index} of {@code parallelism} in the operator state of the old
     * subtasks (in old subtask order): SPLIT element i goes to subtask i mod parallelism.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Restored> redistribute(List<OperatorStateHandle> old, SnapshotReader reader, int index,
                                              int parallelism, ClassLoader userClassLoader) throws IOException {
        Map<String, Restored> result = new LinkedHashMap<>();
        Map<String, int[]> splitCounters = new LinkedHashMap<>();
        for (OperatorStateHandle handle : old) {
            if (handle == null) {
                continue;
            }
            byte[] file = reader.readFile(handle.file());
            for (OperatorStateHandle.StateEntry s : handle.states()) {
                TypeSerializer<Object> serializer = (TypeSerializer<Object>) s.serializer()
                        .restore(OperatorStateStoreImpl.class.getClassLoader(), userClassLoader).restoreSerializer();
                DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, (int) s.offset(), file.length - (int) s.offset()));
                Restored r = result.computeIfAbsent(s.name(), n -> new Restored(s.mode(), s.serializer(), new ArrayList<>()));
                int[] counter = splitCounters.computeIfAbsent(s.name(), n -> new int[1]);
                for (int i = 0; i < s.count(); i++) {
                    Object element = serializer.deserialize(in);
                    if (UNION.equals(s.mode()) || counter[0]++ % parallelism == index) {
                        r.elements().add(element);
                    }
                }
            }
        }
        return result;
    }
}
