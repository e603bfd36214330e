package dev.cairn.core.internal.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The fallback for types without a built-in serializer. Its Kryo instances load classes through
 * the job's class loader and come from the job's pool (never shared across jobs, dropped with
 * the job, so an updated job bundle never meets its old classes).
 */
public final class KryoSerializer<T> implements TypedSerializer<T> {

    private final Class<T> type;
    private final Pool<Kryo> pool;

    public KryoSerializer(Class<T> type, Pool<Kryo> pool) {
        this.type = type;
        this.pool = pool;
    }

    public static Pool<Kryo> newPool(ClassLoader classLoader) {
        return new Pool<>(true, false, 64) {
            @Override
            protected Kryo create() {
                Kryo kryo = new Kryo();
                kryo.setRegistrationRequired(false);
                kryo.setReferences(false);
                kryo.setClassLoader(classLoader);
                kryo.setInstantiatorStrategy(new com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy(
                        new org.objenesis.strategy.StdInstantiatorStrategy()));
                return kryo;
            }
        };
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public void serialize(T value, DataOutput out) throws IOException {
        Kryo kryo = pool.obtain();
        try (Output output = new Output(128, -1)) {
            // class and object: declared types may be interfaces or base classes
            kryo.writeClassAndObject(output, value);
            out.writeInt(output.position());
            out.write(output.getBuffer(), 0, output.position());
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public T deserialize(DataInput in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        Kryo kryo = pool.obtain();
        try {
            return type.cast(kryo.readClassAndObject(new Input(bytes)));
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public TypeSerializerSnapshot<T> snapshotConfiguration() {
        return new KryoSerializerSnapshot<>(type);
    }

    @Override
    public String describe() {
        return "Kryo(" + type.getName() + ")";
    }
}
