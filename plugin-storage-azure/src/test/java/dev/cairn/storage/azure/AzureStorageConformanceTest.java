package dev.cairn.storage.azure;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.cairn.conformance.SnapshotStorageConformanceTest;
import dev.cairn.spi.storage.SnapshotStorage;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The storage conformance kit against a real Azure Blob server (azurite) on loopback. */
class AzureStorageConformanceTest extends SnapshotStorageConformanceTest {

    private static AzuriteServer server;
    private static final AtomicInteger containers = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        server = new AzuriteServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    static String newContainer(AzuriteServer server, String prefix) {
        String name = prefix + "-" + containers.incrementAndGet();
        new BlobServiceClientBuilder().endpoint(server.endpoint(server.port()))
                .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY))
                .buildClient().createBlobContainer(name);
        return name;
    }

    @Override
    protected SnapshotStorage createStorage() throws Exception {
        return new AzureStorageProvider(server.pluginSettings(server.port()))
                .open(Map.of("container", newContainer(server, "conformance"), "prefix", "cairn/snapshots"));
    }
}
