package dev.cairn.core.internal.catalog;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.storage.StoragePaths;
import java.io.IOException;

/** Reads and writes {@code _metadata} as indented JSON, and rejects metadata that points outside its base. */
public final class MetadataCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addMixIn(KeyedStateHandle.class, TypedHandle.class);

    /** A keyed state handle says what it is: sections of the shared layout, a backend's native files, or either with a changelog. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({@JsonSubTypes.Type(value = KeyGroupSectionsHandle.class, name = "sections"),
            @JsonSubTypes.Type(value = NativeFilesHandle.class, name = "native-files"),
            @JsonSubTypes.Type(value = ChangelogHandle.class, name = "changelog")})
    private abstract static class TypedHandle {
    }

    private MetadataCodec() {
    }

    public static byte[] write(SnapshotMetadata metadata) {
        try {
            return MAPPER.writeValueAsBytes(metadata);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot encode snapshot metadata", e);
        }
    }

    /** @param source the metadata file's path, for messages */
    public static SnapshotMetadata read(byte[] bytes, String source) throws IOException {
        SnapshotMetadata md;
        try {
            // the version first: a snapshot of another version must say so, not fail on a field it lacks
            int version = MAPPER.readTree(bytes).path("formatVersion").asInt(-1);
            if (version != SnapshotMetadata.CURRENT_FORMAT_VERSION && version != SnapshotMetadata.IN_FLIGHT_FORMAT_VERSION) {
                throw new InvalidSnapshotException(source + " has metadata format version " + version + "; this platform reads versions "
                        + SnapshotMetadata.CURRENT_FORMAT_VERSION + " and " + SnapshotMetadata.IN_FLIGHT_FORMAT_VERSION + (version == 1 ? " (version 1 was written before keyed state handles were"
                        + " typed; take a new savepoint with the platform that wrote it)" : ""));
            }
            md = MAPPER.readValue(bytes, SnapshotMetadata.class);
        } catch (InvalidSnapshotException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidSnapshotException(source + " is not readable snapshot metadata: " + e.getMessage(), e);
        }
        if (md.operators() == null) {
            throw new InvalidSnapshotException(source + " lists no operators");
        }
        for (String path : md.referencedFiles()) {
            try {
                StoragePaths.requireRelative(path);
            } catch (IllegalArgumentException e) {
                throw new InvalidSnapshotException(source + " references '" + path
                        + "', which is outside the snapshot root; the snapshot is rejected");
            }
        }
        return md;
    }
}
