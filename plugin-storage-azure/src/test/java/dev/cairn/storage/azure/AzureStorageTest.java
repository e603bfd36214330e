package dev.cairn.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.common.StorageSharedKeyCredential;
import dev.cairn.conformance.FaultInjectingProxy;
import dev.cairn.conformance.ObjectStorageFaultTest;
import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fault kit on Azure, and what the Azure plugin adds: staged blocks, aborts and settings errors. */
class AzureStorageTest extends ObjectStorageFaultTest {

    private static AzuriteServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new AzuriteServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    protected int serverPort() {
        return server.port();
    }

    @Override
    protected SnapshotStorage open(int port, int maxAttempts, int partMiB) throws IOException {
        return open(AzureStorageConformanceTest.newContainer(server, "faults"), port,
                Map.of("max-attempts", String.valueOf(maxAttempts), "block-size-mb", String.valueOf(partMiB)));
    }

    private static SnapshotStorage open(String container, int port, Map<String, Object> overrides) throws IOException {
        Map<String, Object> settings = new HashMap<>(server.pluginSettings(port));
        settings.putAll(overrides);
        return new AzureStorageProvider(settings).open(Map.of("container", container));
    }

    /** Whether any block, committed or not, exists under the blob name. */
    private static boolean anyBlocks(String container, String name) {
        try {
            var blocks = new BlobServiceClientBuilder().endpoint(server.endpoint(server.port()))
                    .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY)).buildClient()
                    .getBlobContainerClient(container).getBlobClient(name).getBlockBlobClient().listBlocks(BlockListType.ALL);
            return !blocks.getCommittedBlocks().isEmpty() || !blocks.getUncommittedBlocks().isEmpty();
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Test
    void aLargeBlobIsStagedInBlocksAndReadsBackWholeAndInRanges() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "blocks");
        byte[] data = random(9 * MIB + 321, 1);
        try (SnapshotStorage storage = open(container, server.port(), Map.of("block-size-mb", "2", "upload-concurrency", "3"))) {
            write(storage, "job/chk-1/big", data);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
            try (InputStream in = storage.openRange("job/chk-1/big", 4 * MIB - 10, 20)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 4 * MIB - 10, 4 * MIB + 10));
            }
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(9 * MIB, 2))).isInstanceOf(FileAlreadyExistsException.class);
            assertThat(read(storage, "job/chk-1/big")).isEqualTo(data);
        }
    }

    @Test
    void aFailedBlockAbortsTheUploadAndLeavesNoBlocksBehind() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "abort");
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(container, proxy.port(), Map.of("block-size-mb", "1", "max-attempts", "2"))) {
            AtomicInteger blocks = new AtomicInteger();
            // from the fourth on, staging a block fails on every try; the first three land as uncommitted blocks
            proxy.setPolicy(line -> line.contains("blockid=") && blocks.incrementAndGet() >= 4 ? Fault.ERROR_500 : Fault.NONE);
            assertThatThrownBy(() -> write(storage, "job/chk-1/big", random(6 * MIB, 2)))
                    .isInstanceOf(IOException.class).hasMessageContaining("aborted").hasMessageContaining("job/chk-1/big");
            assertThat(proxy.injected(Fault.ERROR_500)).isGreaterThanOrEqualTo(2);
            assertThat(storage.list("job/")).isEmpty();
            assertThat(anyBlocks(container, "job/chk-1/big")).as("uncommitted blocks left").isFalse();
        }
    }

    @Test
    void badSettingsAreRefusedNamingTheProperty() {
        AzureStorageProvider provider = new AzureStorageProvider(server.pluginSettings(server.port()));
        assertThatThrownBy(() -> provider.open(Map.of("container", "Bad_Container")))
                .hasMessageContaining("storage.container").hasMessageContaining("Bad_Container");
        assertThatThrownBy(() -> provider.open(Map.of("container", "ok", "account-key", "x")))
                .hasMessageContaining("storage.account-key").hasMessageContaining("not known");
        assertThatThrownBy(() -> provider.open(Map.of("container", "okay", "block-size-mb", "0")))
                .hasMessageContaining("block-size-mb").hasMessageContaining("1 to 4000");
        Map<String, Object> sasWithoutToken = new HashMap<>(server.pluginSettings(server.port()));
        sasWithoutToken.put("credentials", "sas");
        assertThatThrownBy(() -> new AzureStorageProvider(sasWithoutToken).open(Map.of("container", "okay")))
                .hasMessageContaining("sas-token");
    }

    @Test
    void aWrongKeyFailsWithoutPrintingIt() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "auth");
        String wrongKey = java.util.Base64.getEncoder().encodeToString("not-the-account-key-at-all".getBytes(StandardCharsets.UTF_8));
        try (SnapshotStorage storage = open(container, server.port(), Map.of("account-key", wrongKey, "max-attempts", "1"))) {
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-1/_metadata", new byte[]{1}))
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> {
                        StringBuilder all = new StringBuilder();
                        for (Throwable c = e; c != null; c = c.getCause()) {
                            all.append(c).append('\n');
                        }
                        assertThat(all.toString()).contains("403").doesNotContain(wrongKey).doesNotContain(AzuriteServer.ACCOUNT_KEY);
                    });
            assertThat(storage.describe()).doesNotContain(wrongKey);
        }
    }
}
