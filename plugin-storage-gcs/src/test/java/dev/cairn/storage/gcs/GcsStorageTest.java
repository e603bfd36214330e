package dev.cairn.storage.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the GCS plugin adds to the conformance kit: resumable uploads, faults and settings errors, over real HTTP. */
class GcsStorageTest {

    private static final int MIB = 1024 * 1024;
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

    private static SnapshotStorage open(String bucket, int port, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings = new HashMap<>(server.pluginSettings(port));
        settings.putAll(overrides);
        return new GcsStorageProvider(settings).open(Map.of("bucket", bucket));
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static void write(SnapshotStorage storage, String path, byte[] data) throws IOException {
        try (OutputStream out = storage.create(path)) {
            for (int i = 0; i < data.length; i += 100_000) {
                out.write(data, i, Math.min(100_000, data.length - i));
            }
        }
    }

    private static byte[] read(SnapshotStorage storage, String path) throws IOException {
        try (InputStream in = storage.open(path)) {
            return in.readAllBytes();
        }
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
    void retriesRideOutErrorsAndResetsWithinTheBudget() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 200);
             SnapshotStorage storage = open(bucket, proxy.port(), Map.of("chunk-size-mb", "1", "max-attempts", "10"))) {
            proxy.setPolicy(FaultInjectingProxy.random(42, 0.15, 0.15, 0.1));
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = random(i % 4 == 0 ? 3 * MIB : 1000 + i * 7919, i);
                write(storage, "job/chk-" + i + "/state", data);
                written.add(data);
                storage.commitMetadata("job/chk-" + i + "/_metadata", ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < 12; i++) {
                assertThat(read(storage, "job/chk-" + i + "/state")).as("object %d", i).isEqualTo(written.get(i));
            }
            storage.deleteAll(storage.list("job/chk-1"));
            assertThat(storage.list("job/chk-1")).isEmpty();
            assertThat(proxy.injected(Fault.ERROR_500) + proxy.injected(Fault.RESET)).as("faults injected").isGreaterThan(10);
        }
    }

    @Test
    void whenEveryWriteFailsTheCallerGetsAnErrorAndTheLastGoodMetadataStays() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(bucket, proxy.port(), Map.of("max-attempts", "3"))) {
            storage.commitMetadata("job/chk-1/_metadata", "{\"good\":1}".getBytes(StandardCharsets.UTF_8));
            proxy.setPolicy(line -> line.startsWith("POST") || line.startsWith("PUT") ? Fault.RESET : Fault.NONE);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-2/_metadata", "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class).hasMessageContaining("job/chk-2/_metadata");
            assertThat(storage.list("job/")).containsExactly("job/chk-1/_metadata");
            assertThat(new String(read(storage, "job/chk-1/_metadata"), StandardCharsets.UTF_8)).isEqualTo("{\"good\":1}");
        }
    }

    @Test
    void aBrokenDownloadResumesWhereItStopped() throws Exception {
        String bucket = newBucket();
        byte[] data = random(3 * MIB, 9);
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(bucket, proxy.port(), Map.of("max-attempts", "4"))) {
            write(storage, "job/f", data);
            AtomicInteger gets = new AtomicInteger();
            proxy.setPolicy(line -> line.startsWith("GET") && line.contains("alt=media") && gets.incrementAndGet() <= 2
                    ? Fault.CUT_RESPONSE : Fault.NONE);
            assertThat(read(storage, "job/f")).isEqualTo(data);
            assertThat(gets.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aCommitRetriedAfterItsFirstAttemptLandedSucceeds() throws Exception {
        try (SnapshotStorage storage = open(newBucket(), server.port(), Map.of())) {
            byte[] metadata = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-7/_metadata", "{\"id\":8}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FileAlreadyExistsException.class);
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
