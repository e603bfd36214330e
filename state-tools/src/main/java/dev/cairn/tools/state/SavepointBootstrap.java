package dev.cairn.tools.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.state.AggregatingState;
import dev.cairn.api.state.AggregatingStateDescriptor;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.job.NamespacedState;
import dev.cairn.api.state.OperatorStateStore;
import dev.cairn.api.state.ReducingState;
import dev.cairn.api.state.ReducingStateDescriptor;
import dev.cairn.api.state.State;
import dev.cairn.api.state.StateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.core.internal.serialization.TypedSerializer;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.snapshot.KeyGroupSnapshotWriter;
import dev.cairn.core.internal.state.KeyedStateFactory;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code bootstrap}: a savepoint for one keyed operator of a job, with state computed elsewhere.
 * The operator's function is opened as the platform opens it, so the states it registers (names,
 * kinds, serializers, TTL) are exactly the job's; each state with a {@code <state>.jsonl} file in the
 * input directory (the form {@code export} writes) gets its entries through the state's own API
 * (TTL timestamps are taken now). The states are written as key-group sections, which any backend
 * restores; the job's other operators start without state.
 */
final class SavepointBootstrap {

    /** A state the function registered, with the class its values are read into from JSON. */
    private record Registered(StateDescriptor<?, ?> descriptor, Object state) {
    }

    private final JobGraph graph;
    private final ClassLoader loader;

    SavepointBootstrap(JobGraph graph, ClassLoader loader) {
        this.graph = graph;
        this.loader = loader;
    }

    /** Writes the savepoint; returns how many entries each state got. */
    Map<String, Long> write(Path target, String uid, Path input, int maxParallelism, SnapshotFormat format) throws ToolException, IOException {
        JobGraph.Node node = graph.node(uid);
        if (node == null || !(node.function() instanceof KeyedProcessFunction<?, ?, ?> function)) {
            throw new ToolException("job " + graph.name() + " has no keyed operator '" + uid + "' (keyed operators: " + String.join(", ",
                    graph.nodes().stream().filter(n -> n.function() instanceof KeyedProcessFunction).map(JobGraph.Node::uid).toList()) + ")");
        }
        if (!Files.isDirectory(input)) {
            throw new ToolException("state bootstrap: " + input + " is not a directory of <state>.jsonl files");
        }
        if (maxParallelism < 1 || maxParallelism > 32_768) {
            throw new ToolException("--max-parallelism " + maxParallelism + " is not allowed: 1 to 32768 key groups");
        }
        TypeSerializer<Object> keySerializer = keySerializer(node);
        StateBackend heap = new ServiceLoaderPluginRegistry(SavepointBootstrap.class.getClassLoader()).backend("heap")
                .orElseThrow(() -> new ToolException("state bootstrap needs the heap backend on the tool's class path (deploy/plugin-backend-heap.jar)"));
        KeyGroupRange all = new KeyGroupRange(0, maxParallelism - 1);
        NewSavepoint savepoint = NewSavepoint.at(target, null);
        try (ScratchDirectory scratch = new ScratchDirectory("cairn-bootstrap-");
             KeyedStateBackend<Object> backend = heap.createKeyedBackend(new KeyedBackendParameters<>(graph.name(), uid, 0, keySerializer, all,
                     maxParallelism, scratch.path(), Map.of(), loader, RestoreContext.NONE))) {
            KeyedStateFactory<Object> factory = new KeyedStateFactory<>(backend, new SerializerResolver(loader), System::currentTimeMillis, uid);
            Map<String, Registered> states = new LinkedHashMap<>();
            function.open(new RecordingContext(factory, states, maxParallelism, loader));
            Map<String, Long> counts;
            try {
                counts = load(input, uid, node.keyType(), backend, states);
            } finally {
                function.close();
            }
            KeyGroupSectionsHandle handle = KeyGroupSnapshotWriter.write(backend.captureEntries(), all, format, savepoint.streams(uid, 0));
            List<dev.cairn.core.internal.catalog.SnapshotMetadata.OperatorSnapshot> operators = List.of(
                    new dev.cairn.core.internal.catalog.SnapshotMetadata.OperatorSnapshot(uid, 1,
                            List.of(new dev.cairn.core.internal.catalog.SnapshotMetadata.SubtaskSnapshot(0, handle, null)),
                            SerializerSnapshotRef.of(keySerializer)));
            savepoint.commit(0, format.name(), "heap", graph.name(), maxParallelism, Map.of(), operators);
            return counts;
        } catch (ToolException | IOException | RuntimeException e) {
            savepoint.abandon();
            throw e;
        } catch (Exception | LinkageError e) {
            savepoint.abandon();
            throw new ToolException("operator '" + uid + "' of job " + graph.name() + " could not be opened outside the platform: "
                    + OpenedSnapshot.firstLine(e));
        }
    }

    @SuppressWarnings("unchecked")
    private TypeSerializer<Object> keySerializer(JobGraph.Node node) {
        TypeSerializer<?> declared = node.keySerializer();
        return (TypeSerializer<Object>) (declared != null ? declared
                : new SerializerResolver(loader).resolveFixed(null, (Class<Object>) node.keyType()));
    }

    private Map<String, Long> load(Path input, String uid, Class<?> keyType, KeyedStateBackend<Object> backend, Map<String, Registered> states)
            throws ToolException, IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(input)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList()) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - ".jsonl".length());
                Registered r = null;
                for (Map.Entry<String, Registered> e : states.entrySet()) {
                    if (StateScan.fileName(e.getKey()).equals(name)) { // the file name export gives the state
                        r = e.getValue();
                        name = e.getKey();
                    }
                }
                if (r == null) {
                    throw new ToolException(file + " names no state operator '" + uid + "' registers (states: "
                            + String.join(", ", states.keySet()) + ")");
                }
                counts.put(name, loadState(file, keyType, backend, r));
            }
        }
        if (counts.isEmpty()) {
            throw new ToolException("state bootstrap: " + input + " holds no <state>.jsonl file (states of operator '" + uid + "': "
                    + String.join(", ", states.keySet()) + ")");
        }
        return counts;
    }

    @SuppressWarnings("unchecked")
    private long loadState(Path file, Class<?> keyType, KeyedStateBackend<Object> backend, Registered r) throws ToolException, IOException {
        StateDescriptor<?, ?> d = r.descriptor();
        Class<?> valueType = typeOf(d.getType(), d.getSerializer(), d.getName());
        Class<?> mapKeyType = d instanceof MapStateDescriptor<?, ?> m ? typeOf(m.getKeyType(), m.getKeySerializer(), d.getName()) : null;
        long n = 0;
        long entries = 0;
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                entries++;
                try {
                    JsonNode entry = StateDecoder.JSON.readTree(line);
                    if (entry.has("namespace")) {
                        throw new IllegalArgumentException("state in windows (a namespace) is not bootstrapped");
                    }
                    backend.setCurrentKey(StateDecoder.JSON.treeToValue(required(entry, "key"), keyType));
                    Object value = StateDecoder.JSON.treeToValue(required(entry, "value"), valueType);
                    switch (d.getKind()) {
                        case VALUE -> ((ValueState<Object>) r.state()).update(value);
                        case LIST -> ((ListState<Object>) r.state()).add(value);
                        case MAP -> ((MapState<Object, Object>) r.state()).put(StateDecoder.JSON.treeToValue(required(entry, "map-key"), mapKeyType), value);
                        case REDUCING -> ((ReducingState<Object>) r.state()).add(value);
                        case AGGREGATING -> throw new IllegalArgumentException("aggregating state holds accumulators the job's function builds;"
                                + " it is not bootstrapped");
                        default -> throw new IllegalStateException(d.getKind().name());
                    }
                } catch (Exception e) {
                    throw new ToolException(file + ", line " + n + ": " + OpenedSnapshot.firstLine(e));
                }
            }
        }
        return entries;
    }

    private static JsonNode required(JsonNode entry, String field) {
        JsonNode v = entry.get(field);
        if (v == null) {
            throw new IllegalArgumentException("no \"" + field + "\"");
        }
        return v;
    }

    /** The class a state's values are read into: the descriptor's, or the one its serializer writes. */
    private static Class<?> typeOf(Class<?> declared, TypeSerializer<?> serializer, String state) throws ToolException {
        if (declared != null) {
            return declared;
        }
        if (serializer instanceof TypedSerializer<?> k) {
            return k.type();
        }
        return switch (serializer == null ? "" : serializer.describe()) {
            case "Long" -> Long.class;
            case "Integer" -> Integer.class;
            case "Double" -> Double.class;
            case "Boolean" -> Boolean.class;
            case "String" -> String.class;
            case "Bytes" -> byte[].class;
            default -> throw new ToolException("state '" + state + "' is written with " + (serializer == null ? "no serializer"
                    : serializer.describe()) + ", whose values the tool cannot read from JSON");
        };
    }

    /** The context a function is opened with: states come from the kernel's factory and are recorded by name. */
    private record RecordingContext(KeyedStateFactory<Object> factory, Map<String, Registered> states, int maxParallelism,
                                    ClassLoader userClassLoader)
            implements KeyedRuntimeContext {

        private <S extends State> S record(StateDescriptor<S, ?> d) throws Exception {
            S s = factory.getState(d);
            states.put(d.getName(), new Registered(d, s));
            return s;
        }

        @Override
        public <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor) throws Exception {
            return record(descriptor);
        }

        @Override
        public <T> ListState<T> getListState(ListStateDescriptor<T> descriptor) throws Exception {
            return record(descriptor);
        }

        @Override
        public <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor) throws Exception {
            return record(descriptor);
        }

        @Override
        public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor) throws Exception {
            return record(descriptor);
        }

        @Override
        public <I, A, O> AggregatingState<I, O> getAggregatingState(AggregatingStateDescriptor<I, A, O> descriptor) throws Exception {
            return record(descriptor);
        }

        @Override
        public <N, S extends State> NamespacedState<N, S> getNamespacedState(TypeSerializer<N> namespaceSerializer,
                                                                            StateDescriptor<S, ?> descriptor) {
            throw new UnsupportedOperationException("state in windows ('" + descriptor.getName() + "') is not bootstrapped");
        }

        @Override
        public OperatorStateStore getOperatorStateStore() {
            throw new UnsupportedOperationException("operator state is not bootstrapped");
        }

        @Override
        public int subtaskIndex() {
            return 0;
        }

        @Override
        public int parallelism() {
            return 1;
        }
    }
}
