package dev.cairn.api.state;

import dev.cairn.api.serialization.TypeSerializer;
import java.util.Objects;

/**
 * Names a state and says how its values are serialized. A descriptor made from a
 * {@code Class} uses the built-in serializer for that type, or Kryo bound to the job's class
 * loader; one made from a {@link TypeSerializer} uses that.
 */
public abstract class StateDescriptor<S extends State, T> {

    /** What the state is; also what is checked when a snapshot is restored into a job. */
    public enum Kind { VALUE, LIST, MAP, REDUCING, AGGREGATING }

    private final String name;
    private final TypeSerializer<T> serializer;
    private final Class<T> type;
    private StateTtlConfig ttlConfig = StateTtlConfig.DISABLED;

    protected StateDescriptor(String name, TypeSerializer<T> serializer) {
        this.name = checkName(name);
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.type = null;
    }

    protected StateDescriptor(String name, Class<T> type) {
        this.name = checkName(name);
        this.serializer = null;
        this.type = Objects.requireNonNull(type, "type");
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank() || name.startsWith("_")) {
            throw new IllegalArgumentException("State name '" + name
                    + "' is not allowed: it must be non-blank and must not start with '_' (reserved for the platform)");
        }
        return name;
    }

    public String getName() {
        return name;
    }

    public abstract Kind getKind();

    /** The serializer given at construction, or {@code null} when the platform picks one from {@link #getType()}. */
    public TypeSerializer<T> getSerializer() {
        return serializer;
    }

    public Class<T> getType() {
        return type;
    }

    /** Values (list elements, map values) older than the TTL are treated as absent. */
    public void enableTimeToLive(StateTtlConfig ttlConfig) {
        this.ttlConfig = Objects.requireNonNull(ttlConfig, "ttlConfig");
    }

    public StateTtlConfig getTtlConfig() {
        return ttlConfig;
    }

    @Override
    public String toString() {
        return getKind() + " state '" + name + "'";
    }
}
