package dev.cairn.storage.s3;

import dev.cairn.conformance.SnapshotStorageConformanceTest;
import dev.cairn.spi.storage.SnapshotStorage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The storage conformance kit against a real S3 server (s3proxy) on loopback. */
class S3StorageConformanceTest extends SnapshotStorageConformanceTest {

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

    @Override
    protected SnapshotStorage createStorage() throws Exception {
        String bucket = "conformance-" + buckets.incrementAndGet();
        server.createBucket(bucket);
        return new S3StorageProvider(server.pluginSettings()).open(Map.of("bucket", bucket, "prefix", "cairn/snapshots"));
    }
}
