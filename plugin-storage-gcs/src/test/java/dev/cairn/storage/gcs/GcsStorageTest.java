package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.conformance.ObjectStorageFaultTest;
import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault kit on GCS over real HTTP, and what the GCS plugin adds: resumable uploads, page tokens and settings errors. */
class GcsStorageTest extends ObjectStorageFaultTest {

    private static GcsTestServer server;
    private static final AtomicInteger buckets = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = new GcsTestServer();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static String newBucket() {
        String bucket = "gcstest-" + buckets.incrementAndGet();
        server.createBucket(bucket);
        return bucket;
    }

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStorage open(int port, int maxAttempts, int partMiB) throws IOException {
        return open(newBucket(), port, Map.of("max-attempts", String.valueOf(maxAttempts), "chunk-size-mb", String.valueOf(partMiB)));
    }

    @Override
    protected String downloadMarker() {
        return "alt=media";
    }

    private static SnapshotStorage open(String bucket, int port, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings = new HashMap<>(server.pluginSettings(port));
        settings.putAll(overrides);
        return new GcsStorageProvider(settings).open(Map.of("bucket", bucket));
    }

    @Test
    void aLargeObjectStreamsAsAResumableUploadInChunks() throws Exception {
        String bucket = newBucket();
        byte[] data = random(5 * MIB + 77, 1);
        try (FaultInjectingProxy counter = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(bucket, counter.port(), Map.of("chunk-size-mb", "1"))) {
            AtomicInteger chunks = new AtomicInteger();
            counter.setPolicy(line -> {
                if (line.startsWith("PUT") && line.contains("upload_id=")) {
                    chunks.incrementAndGet();
                }
                return Fault.NONE;
            });
            write(storage, "job/chk-1/big", data);
            assertThat(chunks.get()).as("chunks of 1 MiB").isBetween(5, 7);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
            assertThat(server.openSessions()).isZero();
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(5 * MIB, 2))).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
        }
    }

    @Test
    void aResumableUploadThatFailsLeavesNoObject() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(bucket, proxy.port(), Map.of("chunk-size-mb", "1", "max-attempts", "2"))) {
            AtomicInteger chunks = new AtomicInteger();
            proxy.setPolicy(line -> line.startsWith("PUT") && line.contains("upload_id=") && chunks.incrementAndGet() >= 3
                    ? Fault.ERROR_500 : Fault.NONE);
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(5 * MIB, 2))).isInstanceOf(IOException.class)
                    .hasMessageContaining("job/chk-1/big");
            assertThat(storage.list("job/")).isEmpty();
            assertThat(server.objectNames(bucket)).isEmpty();
        }
    }

    @Test
    void listingFollowsPageTokens() throws Exception {
        String bucket = newBucket();
        try (SnapshotStorage storage = open(bucket, server.port(), Map.of())) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                String path = String.format("job/chk-1/op/%03d", i);
                storage.commitMetadata(path, new byte[]{(byte) i});
                expected.add(path);
            }
            // the server answers 50 names per page
            assertThat(storage.list("job/chk-1/")).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        GcsStorageProvider provider = new GcsStorageProvider(server.pluginSettings(server.port()));
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "Bad Bucket")))
                .hasMessageContaining("storage.bucket").hasMessageContaining("Bad Bucket");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "okay", "service-account-file", "/x")))
                .hasMessageContaining("storage.service-account-file").hasMessageContaining("not known");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "okay", "chunk-size-mb", "0")))
                .hasMessageContaining("chunk-size-mb").hasMessageContaining("1 to 1024");
        Map<String, Object> missingKey = new HashMap<>(server.pluginSettings(server.port()));
        missingKey.put("credentials", "service-account-file");
        missingKey.put("service-account-file", "/nonexistent/key.json");
        assertThatThrownBy(() -> new GcsStorageProvider(missingKey).open(Map.of("bucket", "okay")))
                .hasMessageContaining("service-account-file").hasMessageContaining("/nonexistent/key.json");
    }
}
