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
import dev.cairn.spi.storage.RangeReader;
import dev.cairn.spi.storage.SnapshotStorage;
import dev.cairn.spi.storage.StoragePaths;
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
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Snapshots as block blobs in one container under a name prefix. Streams stage blocks in
 * parallel ({@link PartUploadStream}) and commit the block list with {@code If-None-Match: *};
 * reads are ranged and resume after a broken connection.
 */
final class AzureSnapshotStorage implements SnapshotStorage {

    private static final int DELETE_BATCH = 256;

    private final AzureSettings settings;
    private final BlobServiceClient service;
    private final BlobContainerClient container;
    private final BlobBatchClient batch;
    private final ExecutorService uploads;
    private final ClassLoader sdkLoader = AzureSnapshotStorage.class.getClassLoader();

    AzureSnapshotStorage(AzureSettings settings) throws IOException {
        this.settings = settings;
        this.service = withSdkLoader(() -> {
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
        this.batch = withSdkLoader(() -> new BlobBatchClientBuilder(service).buildClient());
        if (settings.createContainer()) {
            call("", container::createIfNotExists);
        }
        AtomicInteger threads = new AtomicInteger();
        this.uploads = Executors.newFixedThreadPool(settings.uploadConcurrency(), r -> {
            Thread t = new Thread(r, "cairn-azure-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String describe() {
        return settings.toString();
    }

    private String name(String path) {
        return settings.prefix() + StoragePaths.requireRelative(path);
    }

    private BlockBlobClient blob(String name) {
        return container.getBlobClient(name).getBlockBlobClient();
    }

    @Override
    public OutputStream create(String path) {
        return new BlockUpload(name(path));
    }

    @Override
    public InputStream openRange(String path, long offset, long length) throws IOException {
        String name = name(path);
        if (length == 0) {
            size(path);
            return InputStream.nullInputStream();
        }
        return new RangeReader((from, len) -> call(name, () -> blob(name).openInputStream(
                        new BlobInputStreamOptions().setRange(len < 0 ? new BlobRange(from) : new BlobRange(from, len)))),
                describe() + path, offset, length, settings.maxAttempts());
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        String namePrefix = settings.prefix() + prefix;
        List<String> paths = new ArrayList<>();
        call(namePrefix, () -> {
            for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix(namePrefix), null)) {
                paths.add(item.getName().substring(settings.prefix().length()));
            }
            return null;
        });
        paths.sort(null);
        return paths;
    }

    @Override
    public boolean exists(String path) throws IOException {
        try {
            size(path);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public long size(String path) throws IOException {
        String name = name(path);
        return call(name, () -> blob(name).getProperties().getBlobSize());
    }

    @Override
    public boolean delete(String path) throws IOException {
        String name = name(path);
        return call(name, () -> blob(name).deleteIfExists());
    }

    @Override
    public void deleteAll(Collection<String> paths) throws IOException {
        List<String> urls = new ArrayList<>();
        for (String path : paths) {
            urls.add(blob(name(path)).getBlobUrl());
            if (urls.size() == DELETE_BATCH) {
                deleteBatch(urls);
                urls.clear();
            }
        }
        if (!urls.isEmpty()) {
            deleteBatch(urls);
        }
    }

    private void deleteBatch(List<String> urls) throws IOException {
        call(urls.get(0), () -> {
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
    public void commitMetadata(String path, byte[] bytes) throws IOException {
        putIfAbsent(name(path), bytes, bytes.length);
    }

    private void putIfAbsent(String name, byte[] bytes, int length) throws IOException {
        try {
            call(name, () -> blob(name).uploadWithResponse(
                    new BlockBlobSimpleUploadOptions(BinaryData.fromByteBuffer(ByteBuffer.wrap(bytes, 0, length)))
                            .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                    null, Context.NONE));
        } catch (FileAlreadyExistsException e) {
            // a retried upload whose first try landed (its answer was lost) finds its own bytes: that is success
            byte[] existing = call(name, () -> blob(name).downloadContent().toBytes());
            if (!java.util.Arrays.equals(existing, 0, existing.length, bytes, 0, length)) {
                throw e;
            }
        }
    }

    /** Runs an SDK call with the bundle's class loader as context loader, turning SDK failures into IOExceptions. */
    private <T> T call(String name, Supplier<T> request) throws IOException {
        try {
            return withSdkLoader(request);
        } catch (BlobStorageException e) {
            String where = "azure://" + settings.container() + "/" + name;
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
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io && e instanceof java.io.UncheckedIOException) {
                throw new IOException("Azure request for azure://" + settings.container() + "/" + name + " failed: " + io.getMessage(), io);
            }
            throw new IOException("Azure request for azure://" + settings.container() + "/" + name + " failed: " + e.getMessage(), e);
        }
    }

    private <T> T withSdkLoader(Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(sdkLoader);
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        uploads.shutdown();
        try {
            uploads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One blob as staged blocks and a conditional block-list commit, or one conditional upload when it fits in a block. */
    private final class BlockUpload extends PartUploadStream {
        private final String name;

        BlockUpload(String name) {
            super("azure://" + settings.container() + "/" + name, settings.blockSizeBytes(), settings.uploadConcurrency(), uploads);
            this.name = name;
        }

        /** Block ids must all have the same length within a blob. */
        private static String blockId(int number) {
            return Base64.getEncoder().encodeToString(String.format("block-%08d", number).getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        protected void putWhole(byte[] data, int length) throws IOException {
            putIfAbsent(name, data, length);
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
