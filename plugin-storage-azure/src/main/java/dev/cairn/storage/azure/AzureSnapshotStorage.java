package dev.cairn.storage.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.batch.BlobBatchClient;
import com.azure.storage.blob.batch.BlobBatchClientBuilder;
import com.azure.storage.blob.batch.BlobBatchStorageException;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.cairn.spi.storage.PartUploadStream;
import dev.cairn.spi.storage.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Snapshots as block blobs in one container under a name prefix. Streams stage blocks in
 * parallel ({@link PartUploadStream}) and commit the block list with {@code If-None-Match: *};
 * reads are ranged and resume after a broken connection.
 */
final class AzureSnapshotStorage extends ObjectStorage {

    private final AzureSettings settings;
    private final BlobServiceClient service;
    private final BlobContainerClient container;
    private final BlobBatchClient batch;

    AzureSnapshotStorage(AzureSettings settings) throws IOException {
        super(settings.toString(), settings.prefix(), settings.maxAttempts(), settings.uploadConcurrency(), "cairn-azure-upload");
        this.settings = settings;
        this.service = call("", () -> {
            HttpClient http = new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(settings.connectTimeoutSeconds())).build();
            BlobServiceClientBuilder b = new BlobServiceClientBuilder().httpClient(http)
                    .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, settings.maxAttempts(),
                            settings.requestTimeoutSeconds(), 200L, 10_000L, null));
            switch (settings.credentials()) {
                case "connection-string" -> b.connectionString(settings.connectionString());
                case "shared-key" -> b.credential(new StorageSharedKeyCredential(settings.accountName(), settings.accountKey()));
                default -> b.sasToken(settings.sasToken());
            }
            if (!settings.endpoint().isEmpty()) {
                b.endpoint(settings.endpoint());
            }
            return b.buildClient();
        });
        this.container = service.getBlobContainerClient(settings.container());
        this.batch = call("", () -> new BlobBatchClientBuilder(service).buildClient());
        if (settings.createContainer()) {
            call("", container::createIfNotExists);
        }
    }

    private BlockBlobClient blob(String name) {
        return container.getBlobClient(name).getBlockBlobClient();
    }

    @Override
    public OutputStream create(String path) {
        return new BlockUpload(key(path));
    }

    @Override
    protected InputStream openObject(String name, long from, long length) throws IOException {
        return call(name, () -> blob(name).openInputStream(
                new BlobInputStreamOptions().setRange(length < 0 ? new BlobRange(from) : new BlobRange(from, length))));
    }

    @Override
    protected List<String> listKeys(String prefix) throws IOException {
        return call(prefix, () -> container.listBlobs(new ListBlobsOptions().setPrefix(prefix), null).stream().map(BlobItem::getName).toList());
    }

    @Override
    protected long objectSize(String name) throws IOException {
        return call(name, () -> blob(name).getProperties().getBlobSize());
    }

    @Override
    protected boolean deleteObject(String name) throws IOException {
        return call(name, () -> blob(name).deleteIfExists());
    }

    @Override
    protected int deleteBatchSize() {
        return 256;
    }

    @Override
    protected void deleteObjects(List<String> names) throws IOException {
        List<String> urls = names.stream().map(n -> blob(n).getBlobUrl()).toList();
        call(names.get(0), () -> {
            try {
                batch.deleteBlobs(urls, DeleteSnapshotsOptionType.INCLUDE).forEach(response -> {
                });
            } catch (BlobBatchStorageException e) {
                // one request for the batch; a blob that is already gone is fine, any other failure is not
                for (BlobStorageException failure : e.getBatchExceptions()) {
                    if (failure.getStatusCode() != 404) {
                        throw failure;
                    }
                }
            }
            return null;
        });
    }

    @Override
    protected void putIfAbsent(String name, byte[] bytes, int length) throws IOException {
        call(name, () -> blob(name).uploadWithResponse(
                new BlockBlobSimpleUploadOptions(BinaryData.fromByteBuffer(ByteBuffer.wrap(bytes, 0, length)))
                        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                null, Context.NONE));
    }

    /** Runs an SDK call in the bundle's context, turning SDK failures into IOExceptions. */
    private <T> T call(String name, Callable<T> request) throws IOException {
        String where = "azure://" + settings.container() + "/" + name;
        try {
            return inSdkContext(request);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                NoSuchFileException missing = new NoSuchFileException(where);
                missing.initCause(e);
                throw missing;
            }
            if (e.getStatusCode() == 409 || e.getStatusCode() == 412) {
                FileAlreadyExistsException exists = new FileAlreadyExistsException(where);
                exists.initCause(e);
                throw exists;
            }
            throw new IOException("Azure request for " + where + " failed: " + e.getStatusCode() + " " + e.getErrorCode(), e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            Throwable cause = e instanceof java.io.UncheckedIOException && e.getCause() != null ? e.getCause() : e;
            throw new IOException("Azure request for " + where + " failed: " + cause.getMessage(), cause);
        }
    }

    /** One blob as staged blocks and a conditional block-list commit, or one conditional upload when it fits in a block. */
    private final class BlockUpload extends PartUploadStream {
        private final String name;

        BlockUpload(String name) {
            super("azure://" + settings.container() + "/" + name, settings.blockSizeBytes(), settings.uploadConcurrency(), uploads());
            this.name = name;
        }

        /** Block ids must all have the same length within a blob. */
        private static String blockId(int number) {
            return Base64.getEncoder().encodeToString(String.format("block-%08d", number).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        protected void putWhole(byte[] data, int length) throws IOException {
            writeOnce(name, data, length);
        }

        @Override
        protected void begin() {
            // Azure needs no call to start: staged blocks belong to the blob name
        }

        @Override
        protected void uploadPart(int partNumber, byte[] data, int length) throws IOException {
            call(name, () -> {
                blob(name).stageBlock(blockId(partNumber), BinaryData.fromByteBuffer(ByteBuffer.wrap(data, 0, length)));
                return null;
            });
        }

        @Override
        protected void complete(int partCount) throws IOException {
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= partCount; i++) {
                ids.add(blockId(i));
            }
            call(name, () -> blob(name).commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(ids)
                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE));
        }

        /**
         * Azure has no call that drops uncommitted blocks; committing an empty block list and
         * deleting the result does, instead of leaving them for the service's week-long cleanup.
         */
        @Override
        protected void abort() throws IOException {
            try {
                call(name, () -> blob(name).commitBlockListWithResponse(new BlockBlobCommitBlockListOptions(List.of())
                        .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")), null, Context.NONE));
                call(name, () -> blob(name).deleteIfExists());
            } catch (FileAlreadyExistsException e) {
                // a blob of this name exists (a write-once conflict): staging into it left nothing behind
            }
        }
    }
}
