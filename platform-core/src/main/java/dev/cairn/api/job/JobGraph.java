package dev.cairn.api.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The operators of a job and how records flow between them. Build one with {@link #builder}.
 * Every operator has a stable, unique {@code uid}: it is how a snapshot's state finds its
 * operator again after a change to the job.
 */
public final class JobGraph {

    /** How records of an input reach the subtasks of an operator. */
    public enum Partitioning { FORWARD, KEY_GROUPS }

    public record Input(Node from, Partitioning partitioning, KeySelector<Object, Object> keySelector) {
    }

    /** One operator: a source, a keyed process function or a sink. */
    public static final class Node {
        private final String uid;
        private final Object function;
        private final List<Input> inputs;
        private final dev.cairn.api.serialization.TypeSerializer<?> keySerializer;
        private final Class<?> keyType;

        Node(String uid, Object function, List<Input> inputs,
             dev.cairn.api.serialization.TypeSerializer<?> keySerializer, Class<?> keyType) {
            this.uid = uid;
            this.function = function;
            this.inputs = List.copyOf(inputs);
            this.keySerializer = keySerializer;
            this.keyType = keyType;
        }

        public String uid() {
            return uid;
        }

        /** A {@link Source}, {@link KeyedProcessFunction} or {@link TwoPhaseCommitSink}. */
        public Object function() {
            return function;
        }

        public List<Input> inputs() {
            return inputs;
        }

        /** The serializer of the key of a keyed operator, or {@code null} to derive it from {@link #keyType()}. */
        public dev.cairn.api.serialization.TypeSerializer<?> keySerializer() {
            return keySerializer;
        }

        public Class<?> keyType() {
            return keyType;
        }

        @Override
        public String toString() {
            return "operator '" + uid + "'";
        }
    }

    private final String name;
    private final List<Node> nodes;

    private JobGraph(String name, List<Node> nodes) {
        this.name = name;
        this.nodes = Collections.unmodifiableList(nodes);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** In topological order: every node comes after its inputs. */
    public List<Node> nodes() {
        return nodes;
    }

    public Node node(String uid) {
        return nodes.stream().filter(n -> n.uid.equals(uid)).findFirst().orElse(null);
    }

    public static final class Builder {
        private final String name;
        private final List<Node> nodes = new ArrayList<>();
        private final Set<String> uids = new HashSet<>();

        private Builder(String name) {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("Job name '" + name
                        + "' is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit");
            }
            this.name = name;
        }

        public <T> Stream<T> source(String uid, Source<T> source) {
            return new Stream<>(this, List.of(add(uid, source, List.of(), null, null)));
        }

        public JobGraph build() {
            if (nodes.stream().noneMatch(n -> n.function instanceof TwoPhaseCommitSink)) {
                throw new IllegalStateException("Job '" + name + "' has no sink");
            }
            return new JobGraph(name, new ArrayList<>(nodes));
        }

        Node add(String uid, Object function, List<Input> inputs,
                 dev.cairn.api.serialization.TypeSerializer<?> keySerializer, Class<?> keyType) {
            if (uid == null || !uid.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("Operator uid '" + uid
                        + "' is not allowed: use letters, digits, '.', '_' and '-', starting with a letter or digit");
            }
            if (!uids.add(uid)) {
                throw new IllegalArgumentException("Operator uid '" + uid + "' is used twice in job '" + name + "'");
            }
            Node node = new Node(uid, Objects.requireNonNull(function, "function"), inputs, keySerializer, keyType);
            nodes.add(node);
            return node;
        }
    }

    /** The output of one or more operators (several after {@link #union}). */
    public static final class Stream<T> {
        private final Builder builder;
        private final List<Node> producers;

        Stream(Builder builder, List<Node> producers) {
            this.builder = builder;
            this.producers = producers;
        }

        @SafeVarargs
        public final Stream<T> union(Stream<T>... others) {
            List<Node> all = new ArrayList<>(producers);
            for (Stream<T> o : others) {
                all.addAll(o.producers);
            }
            return new Stream<>(builder, all);
        }

        public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> keySelector, dev.cairn.api.serialization.TypeSerializer<K> keySerializer) {
            return new KeyedStream<>(this, keySelector, Objects.requireNonNull(keySerializer), null);
        }

        public <K> KeyedStream<K, T> keyBy(KeySelector<T, K> keySelector, Class<K> keyType) {
            return new KeyedStream<>(this, keySelector, null, Objects.requireNonNull(keyType));
        }

        /** Ends the stream in an exactly-once sink; subtask i of the sink reads subtask i of its input. */
        public void sinkTo(String uid, TwoPhaseCommitSink<T, ?> sink) {
            List<Input> inputs = producers.stream().map(p -> new Input(p, Partitioning.FORWARD, null)).toList();
            builder.add(uid, sink, inputs, null, null);
        }
    }

    public static final class KeyedStream<K, T> {
        private final Stream<T> input;
        private final KeySelector<T, K> keySelector;
        private final dev.cairn.api.serialization.TypeSerializer<K> keySerializer;
        private final Class<K> keyType;

        KeyedStream(Stream<T> input, KeySelector<T, K> keySelector,
                    dev.cairn.api.serialization.TypeSerializer<K> keySerializer, Class<K> keyType) {
            this.input = input;
            this.keySelector = Objects.requireNonNull(keySelector, "keySelector");
            this.keySerializer = keySerializer;
            this.keyType = keyType;
        }

        @SuppressWarnings("unchecked")
        public <O> Stream<O> process(String uid, KeyedProcessFunction<K, T, O> function) {
            KeySelector<Object, Object> selector = (KeySelector<Object, Object>) (KeySelector<?, ?>) keySelector;
            List<Input> inputs = input.producers.stream()
                    .map(p -> new Input(p, Partitioning.KEY_GROUPS, selector)).toList();
            Node node = input.builder.add(uid, function, inputs, keySerializer, keyType);
            return new Stream<>(input.builder, List.of(node));
        }
    }
}
