package dev.cairn.core.internal.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.serialization.TypeSerializerSnapshot;
import dev.cairn.conformance.JobClasses;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state's class stored with the Kryo fallback changes between the snapshot and the restore
 * (two real compilations of {@code shop.Item}, each in a class loader of its own, as two revisions
 * of a job's bundle): a field added, removed or retyped is refused, naming it; the same shape is
 * compatible.
 */
class KryoSchemaChangeTest {

    @TempDir
    Path dir;

    /** Compiles {@code shop.Item} from {@code source} into a directory of its own; a loader over it. */
    private ClassLoader revision(String name, String source) throws Exception {
        return JobClasses.compile(dir.resolve(name), Map.of("shop.Item", "package shop;\n" + source + "\n"));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TypeSerializer<Object> kryo(ClassLoader loader) throws Exception {
        Class<Object> type = (Class<Object>) Class.forName("shop.Item", true, loader);
        return new KryoSerializer(type, KryoSerializer.newPool(loader));
    }

    /** What the snapshot's metadata holds for the old revision, read back with the new revision's loader. */
    private static KryoSerializerSnapshot<Object> stored(ClassLoader before, ClassLoader after) throws Exception {
        SerializerSnapshotRef ref = SerializerSnapshotRef.of(kryo(before));
        TypeSerializerSnapshot<Object> restored = ref.restore(KryoSerializerSnapshot.class.getClassLoader(), after);
        return (KryoSerializerSnapshot<Object>) restored;
    }

    @Test
    void aChangedClassIsRefusedNamingItsFields() throws Exception {
        ClassLoader v1 = revision("v1", "public record Item(String title, int version) {}");
        ClassLoader added = revision("added", "public record Item(String title, int version, long price) {}");
        ClassLoader retyped = revision("retyped", "public record Item(String title, long version) {}");
        ClassLoader same = revision("same", "public record Item(String title, int version) { public String shout() { return title.toUpperCase(); } }");

        KryoSerializerSnapshot<Object> afterAdding = stored(v1, added);
        assertThat(afterAdding.resolveCompatibility(kryo(added))).isEqualTo(SerializerCompatibility.INCOMPATIBLE);
        assertThat(afterAdding.explainIncompatibility(kryo(added))).startsWith("shop.Item changed since the snapshot")
                .contains("added price:long").doesNotContain("removed");

        KryoSerializerSnapshot<Object> afterRetyping = stored(v1, retyped);
        assertThat(afterRetyping.resolveCompatibility(kryo(retyped))).isEqualTo(SerializerCompatibility.INCOMPATIBLE);
        assertThat(afterRetyping.explainIncompatibility(kryo(retyped))).contains("removed version:int; added version:long");

        KryoSerializerSnapshot<Object> unchanged = stored(v1, same);
        assertThat(unchanged.resolveCompatibility(kryo(same))).as("methods do not change what Kryo writes")
                .isEqualTo(SerializerCompatibility.COMPATIBLE_AS_IS);
    }

    @Test
    void aClassLosingAFieldIsRefused() throws Exception {
        ClassLoader v1 = revision("bean1", "public class Item { public String title; public int version; transient int cache; }");
        ClassLoader v2 = revision("bean2", "public class Item { public String title; }");
        KryoSerializerSnapshot<Object> s = stored(v1, v2);
        assertThat(s.resolveCompatibility(kryo(v2))).isEqualTo(SerializerCompatibility.INCOMPATIBLE);
        assertThat(s.explainIncompatibility(kryo(v2))).contains("removed version:int").doesNotContain("cache");
        assertThat(List.of(KryoSerializerSnapshot.shapeOf(Class.forName("shop.Item", false, v1)))).containsExactly("title:java.lang.String,version:int");
    }
}
