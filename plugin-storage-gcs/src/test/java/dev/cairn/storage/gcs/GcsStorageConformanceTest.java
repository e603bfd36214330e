package dev.cairn.storage.gcs;

import dev.cairn.conformance.SnapshotStorageConformanceTest;
import dev.cairn.spi.storage.SnapshotStorage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The storage conformance kit through the SDK's real HTTP path, against the GCS JSON API test server. */
class GcsStorageConformanceTest extends SnapshotStorageConformanceTest {

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

    @Override
    protected SnapshotStorage createStorage() throws Exception {
        String bucket = "conformance-" + buckets.incrementAndGet();
        server.createBucket(bucket);
        return new GcsStorageProvider(server.pluginSettings(server.port())).open(Map.of("bucket", bucket, "prefix", "cairn/snapshots",
                "chunk-size-mb", "1"));
    }
}
