package dev.cairn.storage.s3;

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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the S3 plugin adds to the conformance kit: parts, faults, aborts and configuration errors. */
class S3StorageTest {

    private static final int MIB = 1024 * 1024;
    private static S3TestServer server;
    private static final AtomicInteger buckets = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = new S3TestServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    private static String newBucket() {
        String bucket = "s3test-" + buckets.incrementAndGet();
        server.createBucket(bucket);
        return bucket;
    }

    private static S3SnapshotStorage open(String bucket, String endpoint, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings = new HashMap<>(server.pluginSettings());
        settings.put("endpoint", endpoint);
        settings.putAll(overrides);
        return (S3SnapshotStorage) new S3StorageProvider(settings).open(Map.of("bucket", bucket));
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
    void aLargeObjectGoesUpInPartsAndReadsBackWholeAndInRanges() throws Exception {
        String bucket = newBucket();
        byte[] data = random(17 * MIB + 123, 1);
        try (S3SnapshotStorage storage = open(bucket, server.endpoint(), Map.of("part-size-mb", "5", "upload-concurrency", "3"))) {
            int before = storage.requestCount();
            write(storage, "job/chk-1/big", data);
            // create + 4 parts + complete: one object in 6 requests, not one per write
            assertThat(storage.requestCount() - before).isEqualTo(6);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
            try (InputStream in = storage.openRange("job/chk-1/big", 6 * MIB - 10, 20)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 6 * MIB - 10, 6 * MIB + 10));
            }
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(17 * MIB + 123, 2))).isInstanceOf(FileAlreadyExistsException.class);
            // the same bytes again look like a retried completion whose answer was lost: accepted
            write(storage, "job/chk-1/big", data);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
            assertThat(server.openMultipartUploads(bucket)).isZero();
        }
    }

    @Test
    void aFailedPartAbortsTheUploadAndLeavesNoPartsAndNoObject() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             S3SnapshotStorage storage = open(bucket, proxy.endpoint(), Map.of("part-size-mb", "5", "max-attempts", "2"))) {
            proxy.setPolicy(line -> line.contains("partNumber=3") ? Fault.ERROR_500 : Fault.NONE);
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(16 * MIB, 2)))
                    .isInstanceOf(IOException.class).hasMessageContaining("aborted").hasMessageContaining("job/chk-1/big");
            // retried (the HTTP client may add its own attempts under the SDK's budget of 2)
            assertThat(proxy.injected(Fault.ERROR_500)).isGreaterThanOrEqualTo(2);
            assertThat(storage.exists("job/chk-1/big")).isFalse();
            assertThat(storage.list("job/")).isEmpty();
            assertThat(server.openMultipartUploads(bucket)).isZero();
        }
    }

    @Test
    void retriesRideOutErrorsAndResetsWithinTheBudget() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 200);
             S3SnapshotStorage storage = open(bucket, proxy.endpoint(), Map.of("part-size-mb", "5", "max-attempts", "10"))) {
            proxy.setPolicy(FaultInjectingProxy.random(42, 0.15, 0.15, 0.1));
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = random(i % 4 == 0 ? 11 * MIB : 1000 + i * 7919, i);
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
            assertThat(server.openMultipartUploads(bucket)).isZero();
        }
    }

    @Test
    void whenEveryRequestFailsTheCallerGetsAnErrorAndNothingIsLeftBehind() throws Exception {
        String bucket = newBucket();
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             S3SnapshotStorage storage = open(bucket, proxy.endpoint(), Map.of("max-attempts", "3"))) {
            storage.commitMetadata("job/chk-1/_metadata", "{\"good\":1}".getBytes(StandardCharsets.UTF_8));
            proxy.setPolicy(line -> line.startsWith("PUT") || line.startsWith("POST") ? Fault.RESET : Fault.NONE);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-2/_metadata", "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class).hasMessageContaining("job/chk-2/_metadata");
            assertThatThrownBy(() -> write(storage, "job/chk-2/state", random(7 * MIB, 3))).isInstanceOf(IOException.class);
            assertThat(storage.list("job/")).containsExactly("job/chk-1/_metadata");
            assertThat(new String(read(storage, "job/chk-1/_metadata"), StandardCharsets.UTF_8)).isEqualTo("{\"good\":1}");
            assertThat(server.openMultipartUploads(bucket)).isZero();
        }
    }

    @Test
    void aCommitRetriedAfterItsFirstAttemptLandedSucceeds() throws Exception {
        String bucket = newBucket();
        try (S3SnapshotStorage storage = open(bucket, server.endpoint(), Map.of())) {
            byte[] metadata = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            // the same bytes again is what a retry after a lost response looks like: not a conflict
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-7/_metadata", "{\"id\":8}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FileAlreadyExistsException.class);
        }
    }

    @Test
    void aBrokenDownloadResumesWhereItStopped() throws Exception {
        String bucket = newBucket();
        byte[] data = random(3 * MIB, 9);
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             S3SnapshotStorage storage = open(bucket, proxy.endpoint(), Map.of("max-attempts", "4"))) {
            write(storage, "job/f", data);
            AtomicInteger gets = new AtomicInteger();
            // the first two GETs break after 256 KiB: the reader reopens at the byte it had reached
            proxy.setPolicy(line -> line.startsWith("GET") && gets.incrementAndGet() <= 2 ? Fault.CUT_RESPONSE : Fault.NONE);
            assertThat(read(storage, "job/f")).isEqualTo(data);
            assertThat(gets.get()).isEqualTo(3);
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        S3StorageProvider provider = new S3StorageProvider(server.pluginSettings());
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "Bad_Bucket")))
                .hasMessageContaining("storage.bucket").hasMessageContaining("Bad_Bucket").hasMessageContaining("lower-case");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "ok-bucket", "secret-key", "x")))
                .hasMessageContaining("storage.secret-key").hasMessageContaining("not known");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "ok-bucket", "part-size-mb", "2")))
                .hasMessageContaining("part-size-mb").hasMessageContaining("5 to 5120");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "ok-bucket", "endpoint", "http://user:pw@host")))
                .hasMessageContaining("endpoint").hasMessageContaining("no credentials");
        assertThatThrownBy(() -> provider.open(Map.of("bucket", "ok-bucket", "prefix", "a/../b")))
                .hasMessageContaining("prefix");
        Map<String, Object> noSecret = new HashMap<>(server.pluginSettings());
        noSecret.remove("secret-key");
        assertThatThrownBy(() -> new S3StorageProvider(noSecret).open(Map.of("bucket", "ok-bucket")))
                .hasMessageContaining("secret-key");
    }

    @Test
    void wrongCredentialsFailWithoutPrintingTheSecret() throws Exception {
        String bucket = newBucket();
        try (S3SnapshotStorage storage = open(bucket, server.endpoint(), Map.of("secret-key", "wrong-secret-value", "max-attempts", "1"))) {
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-1/_metadata", new byte[]{1}))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(messages(e)).doesNotContain("wrong-secret-value").doesNotContain(S3TestServer.SECRET_KEY));
            assertThat(storage.describe()).doesNotContain("wrong-secret-value");
        }
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c).append('\n');
        }
        return b.toString();
    }
}
