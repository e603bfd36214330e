package dev.cairn.tools.state;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.core.internal.serialization.TypedSerializer;
import dev.cairn.core.internal.state.TtlValue;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.List;

/**
 * Turns a snapshot's stored bytes back into values with the serializers the snapshot records
 * (user types through the job's class loader), and values into JSON and key text. A key's text is
 * what {@code get} takes back: a String key as it is, a number or boolean as written, any other
 * type as JSON.
 */
final class StateDecoder {

    /** Fields of any visibility are read and written, as the state's serializers (POJO, Kryo) see them. */
    static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .setVisibility(com.fasterxml.jackson.annotation.PropertyAccessor.FIELD, com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility.ANY);

    /** A generator writing one JSON value per line (no separator before a line). */
    static JsonGenerator lines(java.io.OutputStream out) throws IOException {
        return JSON.createGenerator(out).setRootValueSeparator(null);
    }

    static JsonGenerator lines(java.io.Writer out) throws IOException {
        return JSON.createGenerator(out).setRootValueSeparator(null);
    }

    /** One state's serializers, restored when the state is first read. */
    private record Serializers(TypeSerializer<?> namespace, TypeSerializer<?> value, TypeSerializer<?> mapKey) {
    }

    private final String uid;
    private final List<StateMetaInfo> states;
    private final TypeSerializer<?> keySerializer;
    private final ClassLoader loader;
    private final Serializers[] restored;
    private final ByteArrayDataInput in = new ByteArrayDataInput();

    StateDecoder(OperatorKeyedState state, ClassLoader loader) {
        this.uid = state.uid();
        this.states = state.states();
        this.keySerializer = state.keySerializer();
        this.loader = loader;
        this.restored = new Serializers[states.size()];
    }

    /**
     * The serializer a stored reference describes; a type the tool cannot load is a one-line
     * error pointing at {@code --job}.
     */
    static TypeSerializer<?> restore(SerializerSnapshotRef ref, String what, String uid, ClassLoader loader) throws ToolException {
        try {
            return ref.restoreSerializer(what, uid, StateDecoder.class.getClassLoader(), loader);
        } catch (IOException | RuntimeException e) {
            Throwable cause = rootCause(e);
            String missing = cause instanceof ClassNotFoundException ? "class " + cause.getMessage() + " is not on the tool's class path"
                    : "it cannot be restored (" + OpenedSnapshot.firstLine(cause) + ")";
            throw new ToolException(what + " of operator '" + uid + "' is stored with " + ref.serializer() + ": " + missing
                    + "; give the job's jar with --job <jar>");
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The index of the state named {@code name}, or a one-line error naming the states there are. */
    int stateIndex(String name) throws ToolException {
        for (int i = 0; i < states.size(); i++) {
            if (states.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new ToolException("operator '" + uid + "' has no keyed state '" + name + "' (states: "
                + String.join(", ", states.stream().filter(s -> !s.kind().equals("TIMERS")).map(StateMetaInfo::name).toList()) + ")");
    }

    StateMetaInfo meta(int state) {
        return states.get(state);
    }

    /** Restores {@code state}'s serializers, so that its entries can be decoded; before any output is written. */
    void requireSerializers(int state) throws ToolException {
        if (restored[state] == null) {
            StateMetaInfo m = states.get(state);
            String what = "state '" + m.name() + "'";
            restored[state] = new Serializers(restore(m.namespaceSerializer(), what + " (namespace)", uid, loader),
                    restore(m.valueSerializer(), what, uid, loader),
                    m.mapKeySerializer() == null ? null : restore(m.mapKeySerializer(), what + " (map key)", uid, loader));
        }
    }

    private Serializers serializers(int state) {
        Serializers s = restored[state];
        if (s == null) {
            throw new IllegalStateException("the serializers of state '" + states.get(state).name() + "' were not restored first");
        }
        return s;
    }

    Object key(byte[] bytes, int offset, int length) throws IOException {
        return keySerializer.deserialize(in.over(bytes, offset, length));
    }

    /** The namespace, or {@code null} for the one namespace of state outside windows. */
    Object namespace(int state, byte[] bytes, int offset, int length) throws IOException {
        Object ns = serializers(state).namespace().deserialize(in.over(bytes, offset, length));
        return ns instanceof VoidNamespace ? null : ns;
    }

    Object mapKey(int state, byte[] bytes, int offset, int length) throws IOException {
        return serializers(state).mapKey().deserialize(in.over(bytes, offset, length));
    }

    /** The value; with TTL, a {@link TtlValue} (the value and its last-written time). */
    Object value(int state, byte[] bytes, int offset, int length) throws IOException {
        return serializers(state).value().deserialize(in.over(bytes, offset, length));
    }

    /** A decoded value without its TTL wrapper (the time it was written is the wrapper's). */
    static Object unwrapped(Object value) {
        return value instanceof TtlValue<?> t ? t.value() : value;
    }

    /** The key as {@code get} takes it back. */
    static String keyText(Object key) throws JsonProcessingException {
        return key instanceof String s ? s : JSON.writeValueAsString(key);
    }

    /**
     * Reads a key typed by a user into the key type: text for a String key, a number or boolean
     * for those, JSON for a type the job stores with Kryo (a record or bean of the job's jar).
     */
    Object parseKey(String text) throws ToolException {
        String type = keySerializer.describe();
        try {
            Object key = switch (type) {
                case "String" -> text;
                case "Long" -> Long.valueOf(text.strip());
                case "Integer" -> Integer.valueOf(text.strip());
                case "Double" -> Double.valueOf(text.strip());
                case "Boolean" -> parseBoolean(text.strip());
                default -> {
                    if (keySerializer instanceof TypedSerializer<?> typed) {
                        yield JSON.readValue(text, typed.type());
                    }
                    throw new ToolException("keys of operator '" + uid + "' are " + type + ", which the tool cannot read from text");
                }
            };
            keyBytes(key); // a key the job's serializer cannot write is not one of its keys
            return key;
        } catch (IllegalArgumentException | IOException e) {
            throw new ToolException("'" + text + "' is not a key of operator '" + uid + "' (its keys are " + type + "): "
                    + OpenedSnapshot.firstLine(e));
        }
    }

    private static Boolean parseBoolean(String text) {
        if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("a boolean is true or false");
        }
        return Boolean.valueOf(text);
    }

    /** The key's bytes as the job's serializer writes them: what the stored entries are compared with. */
    byte[] keyBytes(Object key) throws IOException {
        ByteArrayDataOutput out = new ByteArrayDataOutput(32);
        serializeKey(key, out);
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private void serializeKey(Object key, ByteArrayDataOutput out) throws IOException {
        ((TypeSerializer<Object>) keySerializer).serialize(key, out);
    }
}
