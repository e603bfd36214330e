package dev.cairn.storage.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.common.StorageSharedKeyCredential;
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

/** What the Azure plugin adds to the conformance kit: staged blocks, faults, aborts and settings errors. */
class AzureStorageTest {

    private static final int MIB = 1024 * 1024;
    private static AzuriteServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new AzuriteServer();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
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
    void retriesRideOutErrorsAndResetsWithinTheBudget() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "retries");
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 200);
             SnapshotStorage storage = open(container, proxy.port(), Map.of("block-size-mb", "2", "max-attempts", "10"))) {
            proxy.setPolicy(FaultInjectingProxy.random(42, 0.15, 0.15, 0.1));
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = random(i % 4 == 0 ? 5 * MIB : 1000 + i * 7919, i);
                write(storage, "job/chk-" + i + "/state", data);
                written.add(data);
                storage.commitMetadata("job/chk-" + i + "/_metadata", ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < 12; i++) {
                assertThat(read(storage, "job/chk-" + i + "/state")).as("blob %d", i).isEqualTo(written.get(i));
            }
            storage.deleteAll(storage.list("job/chk-1"));
            assertThat(storage.list("job/chk-1")).isEmpty();
            assertThat(proxy.injected(Fault.ERROR_500) + proxy.injected(Fault.RESET)).as("faults injected").isGreaterThan(10);
        }
    }

    @Test
    void whenEveryWriteFailsTheCallerGetsAnErrorAndTheLastGoodMetadataStays() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "outage");
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(container, proxy.port(), Map.of("max-attempts", "3"))) {
            storage.commitMetadata("job/chk-1/_metadata", "{\"good\":1}".getBytes(StandardCharsets.UTF_8));
            proxy.setPolicy(line -> line.startsWith("PUT") ? Fault.RESET : Fault.NONE);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-2/_metadata", "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class).hasMessageContaining("job/chk-2/_metadata");
            assertThat(storage.list("job/")).containsExactly("job/chk-1/_metadata");
            assertThat(new String(read(storage, "job/chk-1/_metadata"), StandardCharsets.UTF_8)).isEqualTo("{\"good\":1}");
        }
    }

    @Test
    void aBrokenDownloadResumesWhereItStopped() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "resume");
        byte[] data = random(3 * MIB, 9);
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(server.port(), 0);
             SnapshotStorage storage = open(container, proxy.port(), Map.of("max-attempts", "4"))) {
            write(storage, "job/f", data);
            AtomicInteger gets = new AtomicInteger();
            proxy.setPolicy(line -> line.startsWith("GET") && gets.incrementAndGet() <= 2 ? Fault.CUT_RESPONSE : Fault.NONE);
            assertThat(read(storage, "job/f")).isEqualTo(data);
            assertThat(gets.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aCommitRetriedAfterItsFirstTryLandedSucceeds() throws Exception {
        String container = AzureStorageConformanceTest.newContainer(server, "idempotent");
        try (SnapshotStorage storage = open(container, server.port(), Map.of())) {
            byte[] metadata = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-7/_metadata", "{\"id\":8}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FileAlreadyExistsException.class);
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
