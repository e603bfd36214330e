package dev.cairn.core.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;

/**
 * Picks the serializer for a declared type: built-in if there is one, else the POJO serializer
 * (which can evolve) for a POJO, else Kryo, all in the job's loader. Keys (of a job, of map
 * state) are stored by their bytes and never migrated, and operator state has no migration check
 * of its own: their POJOs stay with Kryo, as they always were.
 */
public final class SerializerResolver {

    private final ClassLoader classLoader;
    private final Pool<Kryo> kryoPool;

    public SerializerResolver(ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.kryoPool = KryoSerializer.newPool(classLoader);
    }

    public ClassLoader classLoader() {
        return classLoader;
    }

    /** For keyed state's values (and list elements): the serializer that can evolve where there is one. */
    public <T> TypeSerializer<T> resolve(TypeSerializer<T> declared, Class<T> type) {
        if (declared != null) {
            return declared;
        }
        TypeSerializer<T> builtIn = Serializers.forType(type);
        if (builtIn != null) {
            return builtIn;
        }
        PojoSerializer<T> pojo = PojoSerializer.of(type, kryoPool);
        return pojo != null ? pojo : new KryoSerializer<>(type, kryoPool);
    }

    /**
     * For what is stored by its bytes or has no migration: a job's keys, map keys, operator state.
     * Built-in, else Kryo (a change of these serializers would orphan what earlier snapshots hold).
     */
    public <T> TypeSerializer<T> resolveFixed(TypeSerializer<T> declared, Class<T> type) {
        if (declared != null) {
            return declared;
        }
        TypeSerializer<T> builtIn = Serializers.forType(type);
        return builtIn != null ? builtIn : new KryoSerializer<>(type, kryoPool);
    }
}
