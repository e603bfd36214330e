package dev.cairn.core.internal.task;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.serialization.SerializerResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each operator's function in serialized form, so that every subtask gets its own copy (as in a
 * cluster), loaded in the job's class loader; and each keyed operator's key serializer.
 */
public final class OperatorFunctions {

    private final JobGraph graph;
    private final SerializerResolver serializers;
    private final Map<String, byte[]> serialized = new LinkedHashMap<>();

    /** Fails naming the operator whose function is not serializable. */
    public OperatorFunctions(JobGraph graph, SerializerResolver serializers) {
        this.graph = graph;
        this.serializers = serializers;
        for (JobGraph.Node n : graph.nodes()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(n.function());
            } catch (IOException e) {
                throw new IllegalArgumentException("The function of " + n + " in job '" + graph.name() + "' must be serializable: " + e, e);
            }
            serialized.put(n.uid(), bytes.toByteArray());
        }
    }

    /** A fresh copy of an operator's function for one subtask. */
    Object copy(JobGraph.Node node) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized.get(node.uid()))) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
                return Class.forName(desc.getName(), false, serializers.classLoader());
            }
        }) {
            return in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot copy the function of " + node, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    TypeSerializer<?> keySerializer(String uid) {
        JobGraph.Node node = graph.node(uid);
        return serializers.resolveFixed((TypeSerializer) node.keySerializer(), (Class) node.keyType());
    }
}
