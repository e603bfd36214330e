package dev.cairn.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.DataInput;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;

/**
 * The Avro serializer bundle resolves on the real platform (Avro inside it, Jackson and SLF4J from
 * the platform) and round-trips a record through Avro's schema parser, codecs and the serializer,
 * all loaded from the bundle.
 */
class AvroOnPlatformTest {

    @Test
    void theAvroBundleIsActiveAndItsSerializerRoundTripsARecord() throws Exception {
        try (PlatformFixture p = PlatformFixture.create().start()) {
            Bundle avro = p.bundle("dev.cairn.serializer.avro");
            assertThat(avro).as("the serializer-avro bundle").isNotNull();
            assertThat(avro.getState()).as("state of %s", avro).isEqualTo(Bundle.ACTIVE);

            Class<?> schemaParser = avro.loadClass("org.apache.avro.Schema$Parser");
            Object schema = schemaParser.getMethod("parse", String.class).invoke(schemaParser.getConstructor().newInstance(),
                    "{\"type\":\"record\",\"name\":\"Event\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}");
            Class<?> schemaType = avro.loadClass("org.apache.avro.Schema");
            Object serializer = avro.loadClass("dev.cairn.serializer.avro.AvroSerializer").getMethod("forGeneric", schemaType).invoke(null, schema);
            Object record = avro.loadClass("org.apache.avro.generic.GenericData$Record").getConstructor(schemaType).newInstance(schema);
            record.getClass().getMethod("put", String.class, Object.class).invoke(record, "id", 42L);

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            serializer.getClass().getMethod("serialize", Object.class, DataOutput.class).invoke(serializer, record, new DataOutputStream(bytes));
            Object back = serializer.getClass().getMethod("deserialize", DataInput.class)
                    .invoke(serializer, new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            assertThat(back.getClass().getMethod("get", String.class).invoke(back, "id")).isEqualTo(42L);
            assertThat(serializer.getClass().getMethod("describe").invoke(serializer)).isEqualTo("Avro(generic Event)");
        }
    }
}
