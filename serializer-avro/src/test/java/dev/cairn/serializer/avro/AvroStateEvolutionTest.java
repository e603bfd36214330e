package dev.cairn.serializer.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.backend.rocksdb.RocksDBStateBackend;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.conformance.JobClasses;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Avro state across a change of schema, on the heap and RocksDB: a generated record class that
 * lost a field and gained one with a default (two real compilations of {@code shop.Customer}, as
 * two revisions of a job), and generic records of an evolved schema, migrate on restore; a change
 * Avro cannot resolve is refused, naming it.
 */
class AvroStateEvolutionTest {

    private static final KeyGroupRange ALL = new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1);
    private static final int KEYS = 100;

    @TempDir
    Path temp;
    private final List<BackendHarness> open = new ArrayList<>();

    @AfterEach
    void close() {
        open.forEach(BackendHarness::close);
    }

    private static String customer(String fields, String members, String get, String put, String show) {
        return """
                package shop;
                public class Customer extends org.apache.avro.specific.SpecificRecordBase {
                    public static final org.apache.avro.Schema SCHEMA$ = new org.apache.avro.Schema.Parser().parse(
                            "{\\"type\\":\\"record\\",\\"name\\":\\"Customer\\",\\"namespace\\":\\"shop\\",\\"fields\\":[%s]}");
                    %s
                    public org.apache.avro.Schema getSchema() { return SCHEMA$; }
                    public Object get(int i) { switch (i) { %s default: throw new IndexOutOfBoundsException(); } }
                    public void put(int i, Object v) { switch (i) { %s default: throw new IndexOutOfBoundsException(); } }
                    public String toString() { return %s; }
                }
                """.formatted(fields, members, get, put, show);
    }

    private static final String V1 = customer(
            "{\\\"name\\\":\\\"name\\\",\\\"type\\\":\\\"string\\\"},{\\\"name\\\":\\\"visits\\\",\\\"type\\\":\\\"int\\\"}",
            "public CharSequence name; public int visits;",
            "case 0: return name; case 1: return visits;",
            "case 0: name = (CharSequence) v; break; case 1: visits = (Integer) v; break;",
            "name + \"/\" + visits");
    /** {@code visits} removed, {@code tier} added with a default. */
    private static final String V2 = customer(
            "{\\\"name\\\":\\\"name\\\",\\\"type\\\":\\\"string\\\"},{\\\"name\\\":\\\"tier\\\",\\\"type\\\":\\\"string\\\",\\\"default\\\":\\\"basic\\\"}",
            "public CharSequence name; public CharSequence tier;",
            "case 0: return name; case 1: return tier;",
            "case 0: name = (CharSequence) v; break; case 1: tier = (CharSequence) v; break;",
            "name + \"/\" + tier");
    /** {@code name} is a number now: Avro cannot read a string as one. */
    private static final String RETYPED = customer(
            "{\\\"name\\\":\\\"name\\\",\\\"type\\\":\\\"int\\\"},{\\\"name\\\":\\\"visits\\\",\\\"type\\\":\\\"int\\\"}",
            "public int name; public int visits;",
            "case 0: return name; case 1: return visits;",
            "case 0: name = (Integer) v; break; case 1: visits = (Integer) v; break;",
            "name + \"/\" + visits");

    private static StateBackend backend(String name) {
        return name.equals("heap") ? new HeapStateBackend() : new RocksDBStateBackend();
    }

    private BackendHarness harness(String backend, LocalFileStorage storage, RestoreContext restore, ClassLoader classes) throws Exception {
        BackendHarness h = new BackendHarness(backend(backend), storage, ALL, BackendHarness.MAX_PARALLELISM,
                Files.createTempDirectory(temp, "work"), new AtomicLong(), restore, classes);
        open.add(h);
        return h;
    }

    private static RestoreContext from(LocalFileStorage storage, KeyedStateHandle handle) {
        return BackendHarness.restoreFrom(List.of(handle), BackendHarness.reader(storage), true, ALL,
                BackendHarness.MAX_PARALLELISM, BackendHarness.MAX_PARALLELISM);
    }

    @SuppressWarnings("unchecked")
    private static ValueState<SpecificRecord> customers(BackendHarness h, ClassLoader classes) throws Exception {
        Class<SpecificRecord> type = (Class<SpecificRecord>) classes.loadClass("shop.Customer");
        return h.states.getState(new ValueStateDescriptor<>("customer", AvroSerializer.forSpecific(type)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void generatedRecordsMigrateToTheirNewSchema(String backend) throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        ClassLoader v1 = JobClasses.compile(temp.resolve("v1"), Map.of("shop.Customer", V1));
        ClassLoader v2 = JobClasses.compile(temp.resolve("v2"), Map.of("shop.Customer", V2));
        ClassLoader retyped = JobClasses.compile(temp.resolve("retyped"), Map.of("shop.Customer", RETYPED));
        BackendHarness h = harness(backend, storage, RestoreContext.NONE, v1);
        ValueState<SpecificRecord> s1 = customers(h, v1);
        Class<?> c1 = v1.loadClass("shop.Customer");
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            SpecificRecord c = (SpecificRecord) c1.getConstructor().newInstance();
            c.put(0, "c" + k);
            c.put(1, (int) k);
            s1.update(c);
        }
        KeyedStateHandle written = h.snapshot(1, true);

        BackendHarness migrated = harness(backend, storage, from(storage, written), v2);
        ValueState<SpecificRecord> s2 = customers(migrated, v2);
        for (long k = 0; k < KEYS; k++) {
            migrated.key(k);
            assertThat(s2.value()).hasToString("c" + k + "/basic");
            assertThat(s2.value().getClass().getClassLoader()).isSameAs(v2);
        }
        KeyedStateHandle rewritten = migrated.snapshot(2, true);
        assertThat(rewritten.states()).singleElement().satisfies(st -> assertThat(st.valueSerializer().serializer()).isEqualTo("Avro(shop.Customer)"));
        BackendHarness again = harness(backend, storage, from(storage, rewritten), v2);
        ValueState<SpecificRecord> s2again = customers(again, v2);
        again.key(42);
        assertThat(s2again.value()).hasToString("c42/basic");

        // a run that never registers the state writes it again as it read it; the next run migrates it as before
        KeyedStateHandle passedOn = harness(backend, storage, from(storage, written), v2).snapshot(3, true);
        BackendHarness later = harness(backend, storage, from(storage, passedOn), v2);
        ValueState<SpecificRecord> s2later = customers(later, v2);
        later.key(5);
        assertThat(s2later.value()).hasToString("c5/basic");

        assertThatThrownBy(() -> customers(harness(backend, storage, from(storage, written), retyped), retyped))
                .hasMessageContaining("'customer'").hasMessageContaining("Avro cannot read shop.Customer as written into the new schema")
                .hasMessageContaining("TYPE_MISMATCH at /fields/0/type");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"heap", "rocksdb"})
    void genericRecordsMigrateToAnEvolvedSchema(String backend) throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        ClassLoader classes = getClass().getClassLoader();
        Schema v1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Event\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}");
        Schema v2 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Event\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"},"
                + "{\"name\":\"source\",\"type\":\"string\",\"default\":\"unknown\"}]}");
        BackendHarness h = harness(backend, storage, RestoreContext.NONE, classes);
        ValueState<GenericRecord> s1 = h.states.getState(new ValueStateDescriptor<>("event", AvroSerializer.forGeneric(v1)));
        for (long k = 0; k < KEYS; k++) {
            h.key(k);
            GenericRecord e = new GenericData.Record(v1);
            e.put("id", k * 7);
            s1.update(e);
        }
        KeyedStateHandle written = h.snapshot(1, true);

        BackendHarness migrated = harness(backend, storage, from(storage, written), classes);
        ValueState<GenericRecord> s2 = migrated.states.getState(new ValueStateDescriptor<>("event", AvroSerializer.forGeneric(v2)));
        migrated.key(3);
        assertThat(s2.value().get("id")).isEqualTo(21L);
        assertThat(s2.value().get("source")).as("the new field, on every backend at once").hasToString("unknown");
        // the next snapshot writes every record in the new schema
        BackendHarness again = harness(backend, storage, from(storage, migrated.snapshot(2, true)), classes);
        ValueState<GenericRecord> s2again = again.states.getState(new ValueStateDescriptor<>("event", AvroSerializer.forGeneric(v2)));
        for (long k = 0; k < KEYS; k++) {
            again.key(k);
            assertThat(s2again.value().get("id")).isEqualTo(k * 7);
            assertThat(s2again.value().get("source")).hasToString("unknown");
        }
    }
}
