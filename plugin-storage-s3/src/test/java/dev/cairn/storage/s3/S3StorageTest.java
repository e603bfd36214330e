package dev.cairn.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.conformance.ObjectStorageFaultTest;
import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault kit on S3, and what the S3 plugin adds: multipart uploads, aborts and configuration errors. */
class S3StorageTest extends ObjectStorageFaultTest {

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

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStorage open(int port, int maxAttempts, int partMiB) throws IOException {
        return open(newBucket(), "http://127.0.0.1:" + port, Map.of("max-attempts", String.valueOf(maxAttempts),
                "part-size-mb", String.valueOf(Math.max(5, partMiB))));
    }

    private static S3SnapshotStorage open(String bucket, String endpoint, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings = new HashMap<>(server.pluginSettings());
        settings.put("endpoint", endpoint);
        settings.putAll(overrides);
        return (S3SnapshotStorage) new S3StorageProvider(settings).open(Map.of("bucket", bucket));
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
    void theSweepAbortsUploadsACrashedWriterLeftOpen() throws Exception {
        String bucket = newBucket();
        try (S3SnapshotStorage storage = open(bucket, server.endpoint(), Map.of("part-size-mb", "5"))) {
            // a writer that died after its first part: the upload stays open, and no object exists
            java.io.OutputStream orphan = storage.create("job/chk-9/big");
            orphan.write(random(6 * MIB, 3));
            assertThat(server.openMultipartUploads(bucket)).isEqualTo(1);
            write(storage, "other/chk-1/small", random(1024, 4));
            assertThat(storage.deleteIncomplete("other/")).as("nothing open under another prefix").isZero();
            assertThat(storage.deleteIncomplete("job/")).isEqualTo(1);
            assertThat(server.openMultipartUploads(bucket)).isZero();
            assertThat(storage.list("")).containsExactly("other/chk-1/small");
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
