package dev.cairn.core.internal.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.ByteArrayDataInput;
import dev.cairn.api.serialization.ByteArrayDataOutput;
import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class PojoSerializerTest {

    /** A POJO with an inherited field, a primitive, a boxed and a nested non-built-in field. */
    static class Base {
        long id;
    }

    static class Order extends Base {
        String customer;
        int quantity;
        Double price;
        List<String> lines;
        float discount;
        short box;
        byte flags;
        char grade;
        transient String cache;

        Order() {
        }
    }

    static class RushOrder extends Order {
        int hours;
    }

    static class Shadowing extends Base {
        long id;
    }

    record Point(int x, int y) {
    }

    static class Frozen {
        final int x = 1;
    }

    private final SerializerResolver resolver = new SerializerResolver(PojoSerializerTest.class.getClassLoader());

    private static <T> byte[] write(TypeSerializer<T> s, T value) throws Exception {
        ByteArrayDataOutput out = new ByteArrayDataOutput(64);
        s.serialize(value, out);
        return java.util.Arrays.copyOf(out.buffer(), out.length());
    }

    @Test
    void classesWithFieldsAndANoArgumentConstructorArePojosOthersGoToKryo() {
        assertThat(resolver.resolve(null, Order.class).describe()).isEqualTo("Pojo(" + Order.class.getName() + ")");
        assertThat(resolver.resolve(null, Point.class)).as("records stay with Kryo").isInstanceOf(KryoSerializer.class);
        assertThat(resolver.resolve(null, Frozen.class)).as("final fields cannot be set").isInstanceOf(KryoSerializer.class);
        assertThat(resolver.resolve(null, java.util.ArrayList.class)).isInstanceOf(KryoSerializer.class);
        assertThat(resolver.resolve(null, Shadowing.class)).as("two fields named id").isInstanceOf(KryoSerializer.class);
        assertThat(resolver.resolveFixed(null, Order.class)).as("keys and operator state stay with Kryo").isInstanceOf(KryoSerializer.class);
    }

    @Test
    void writesAndReadsEveryFieldButTransientOnes() throws Exception {
        TypeSerializer<Order> s = resolver.resolve(null, Order.class);
        Order o = new Order();
        o.id = 7;
        o.customer = "ada";
        o.quantity = 3;
        o.price = null;
        o.lines = List.of("a", "b");
        o.discount = 0.25f;
        o.box = 12;
        o.flags = 3;
        o.grade = 'A';
        o.cache = "not written";
        Order back = s.deserialize(new ByteArrayDataInput().over(write(s, o), 0, write(s, o).length));
        assertThat(back).usingRecursiveComparison().ignoringFields("cache").isEqualTo(o);
        assertThat(back.cache).isNull();
        // a subclass keeps its type and its own fields, whole through Kryo
        RushOrder rush = new RushOrder();
        rush.customer = "lin";
        rush.hours = 4;
        byte[] rushBytes = write(s, rush);
        Order rushBack = s.deserialize(new ByteArrayDataInput().over(rushBytes, 0, rushBytes.length));
        assertThat(rushBack).isInstanceOf(RushOrder.class).usingRecursiveComparison().isEqualTo(rush);
    }

    @Test
    @SuppressWarnings("unchecked")
    void stateKryoWroteMovesToThePojoSerializerOfTheSameClass() throws Exception {
        KryoSerializer<Order> kryo = new KryoSerializer<>(Order.class, KryoSerializer.newPool(getClass().getClassLoader()));
        Order o = new Order();
        o.customer = "grace";
        o.quantity = 5;
        byte[] bytes = write(kryo, o);
        TypeSerializerSnapshot<Order> snapshot = SerializerSnapshotRef.of(kryo).restore(getClass().getClassLoader());
        TypeSerializer<Order> pojo = resolver.resolve(null, Order.class);
        assertThat(snapshot.resolveCompatibility(pojo)).isEqualTo(SerializerCompatibility.COMPATIBLE_AFTER_MIGRATION);
        Order read = snapshot.restoreSerializer().deserialize(new ByteArrayDataInput().over(bytes, 0, bytes.length));
        assertThat(read.customer).isEqualTo("grace");
        assertThat(read.quantity).isEqualTo(5);
        // the POJO serializer's own snapshot reads its values as they are
        TypeSerializerSnapshot<Order> own = SerializerSnapshotRef.of(pojo).restore(getClass().getClassLoader());
        assertThat(own.resolveCompatibility(pojo)).isEqualTo(SerializerCompatibility.COMPATIBLE_AS_IS);
    }
}
