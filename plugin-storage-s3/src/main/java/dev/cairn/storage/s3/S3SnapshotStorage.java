package dev.cairn.storage.s3;

import dev.cairn.spi.storage.PartUploadStream;
import dev.cairn.spi.storage.ObjectStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Snapshots as objects in one bucket under a key prefix. Streams upload in parts
 * ({@link PartUploadStream}), reads are ranged GETs that resume after a broken connection, and
 * the metadata commit is a conditional PUT ({@code If-None-Match: *}).
 */
final class S3SnapshotStorage extends ObjectStorage {

    private final S3Settings settings;
    private final S3Client client;
    private final AtomicInteger requests = new AtomicInteger();

    S3SnapshotStorage(S3Settings settings) throws IOException {
        super(settings.toString(), settings.prefix(), settings.maxAttempts(), settings.uploadConcurrency(), "cairn-s3-upload");
        this.settings = settings;
        this.client = call("", () -> S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(settings.connectTimeoutSeconds()))
                        .socketTimeout(Duration.ofSeconds(settings.requestTimeoutSeconds()))
                        .build())
                .region(Region.of(settings.region()))
                .applyMutation(b -> {
                    if (!settings.endpoint().isEmpty()) {
                        b.endpointOverride(URI.create(settings.endpoint()));
                    }
                })
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings))
                .overrideConfiguration(c -> c
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(settings.maxAttempts()).build())
                        .apiCallAttemptTimeout(Duration.ofSeconds(settings.requestTimeoutSeconds()))
                        .addExecutionInterceptor(new RequestCounter(requests)))
                .build());
    }

    private static AwsCredentialsProvider credentials(S3Settings settings) {
        return switch (settings.credentials()) {
            case "static" -> StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
            case "anonymous" -> AnonymousCredentialsProvider.create();
            default -> DefaultCredentialsProvider.builder().build();
        };
    }

    /** HTTP requests sent so far, retries included. */
    int requestCount() {
        return requests.get();
    }

    @Override
    public OutputStream create(String path) {
        // no HEAD first: the conditional PUT or completion at the end refuses an existing key
        return new MultipartUpload(key(path));
    }

    @Override
    protected InputStream openObject(String key, long from, long length) throws IOException {
        return call(key, () -> client.getObject(b -> b.bucket(settings.bucket()).key(key)
                .range(length < 0 ? "bytes=" + from + "-" : "bytes=" + from + "-" + (from + length - 1))));
    }

    @Override
    protected List<String> listKeys(String prefix) throws IOException {
        return call(prefix, () -> client.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(prefix)).contents()
                .stream().map(S3Object::key).toList());
    }

    @Override
    protected long objectSize(String key) throws IOException {
        return call(key, () -> client.headObject(b -> b.bucket(settings.bucket()).key(key)).contentLength());
    }

    @Override
    protected boolean deleteObject(String key) throws IOException {
        // S3's DELETE succeeds whether or not the key exists: the HEAD tells the caller which
        try {
            objectSize(key);
        } catch (NoSuchFileException e) {
            return false;
        }
        call(key, () -> client.deleteObject(b -> b.bucket(settings.bucket()).key(key)));
        return true;
    }

    /** Aborts the multipart uploads a crashed writer left open under {@code prefix}: S3 bills their parts until then. */
    @Override
    public int deleteIncomplete(String prefix) throws IOException {
        String keys = keyPrefix() + prefix;
        List<software.amazon.awssdk.services.s3.model.MultipartUpload> open = call(keys, () -> client.listMultipartUploadsPaginator(
                b -> b.bucket(settings.bucket()).prefix(keys)).uploads().stream().toList());
        for (var upload : open) {
            call(upload.key(), () -> client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(upload.key()).uploadId(upload.uploadId())));
        }
        return open.size();
    }

    @Override
    protected int deleteBatchSize() {
        return 1000;
    }

    @Override
    protected void deleteObjects(List<String> keys) throws IOException {
        List<ObjectIdentifier> ids = keys.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        var response = call(keys.get(0), () -> client.deleteObjects(b -> b.bucket(settings.bucket())
                .delete(Delete.builder().objects(ids).quiet(true).build())));
        if (response.hasErrors() && !response.errors().isEmpty()) {
            var e = response.errors().get(0);
            throw new IOException("Deleting " + response.errors().size() + " objects from " + describe() + " failed, first "
                    + e.key() + ": " + e.code() + " " + e.message());
        }
    }

    @Override
    protected void putIfAbsent(String key, byte[] bytes, int length) throws IOException {
        call(key, () -> client.putObject(b -> b.bucket(settings.bucket()).key(key).ifNoneMatch("*").contentLength((long) length),
                RequestBody.fromByteBuffer(java.nio.ByteBuffer.wrap(bytes, 0, length))));
    }

    /** Runs an SDK call in the bundle's context, turning SDK failures into IOExceptions. */
    private <T> T call(String key, Callable<T> request) throws IOException {
        try {
            return inSdkContext(request);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                NoSuchFileException missing = new NoSuchFileException("s3://" + settings.bucket() + "/" + key);
                missing.initCause(e);
                throw missing;
            }
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                FileAlreadyExistsException exists = new FileAlreadyExistsException("s3://" + settings.bucket() + "/" + key);
                exists.initCause(e);
                throw exists;
            }
            throw new IOException("S3 request for s3://" + settings.bucket() + "/" + key + " failed: " + e.statusCode() + " "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode()), e);
        } catch (SdkException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("Interrupted during an S3 request for " + key);
            }
            throw new IOException("S3 request for s3://" + settings.bucket() + "/" + key + " failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("S3 request for s3://" + settings.bucket() + "/" + key + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    protected void closeClient() {
        client.close();
    }

    /** One object as an S3 multipart upload, or a single conditional PUT when it fits in one part. */
    private final class MultipartUpload extends PartUploadStream {
        private final String key;
        private final Map<Integer, String> etags = new ConcurrentSkipListMap<>();
        private volatile String uploadId;

        MultipartUpload(String key) {
            super("s3://" + settings.bucket() + "/" + key, settings.partSizeBytes(), settings.uploadConcurrency(), uploads());
            this.key = key;
        }

        @Override
        protected void putWhole(byte[] data, int length) throws IOException {
            writeOnce(key, data, length);
        }

        @Override
        protected void begin() throws IOException {
            uploadId = call(key, () -> client.createMultipartUpload(b -> b.bucket(settings.bucket()).key(key)).uploadId());
        }

        @Override
        protected void uploadPart(int partNumber, byte[] data, int length) throws IOException {
            String etag = call(key, () -> client.uploadPart(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId)
                            .partNumber(partNumber).contentLength((long) length),
                    RequestBody.fromByteBuffer(java.nio.ByteBuffer.wrap(data, 0, length))).eTag());
            etags.put(partNumber, etag);
        }

        @Override
        protected void complete(int partCount) throws IOException {
            List<CompletedPart> parts = new ArrayList<>();
            for (int i = 1; i <= partCount; i++) {
                parts.add(CompletedPart.builder().partNumber(i).eTag(etags.get(i)).build());
            }
            try {
                call(key, () -> client.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId)
                        .ifNoneMatch("*").multipartUpload(m -> m.parts(parts))));
            } catch (FileAlreadyExistsException e) {
                // a retried completion whose first attempt landed: the object's ETag is that of our parts
                String existing = call(key, () -> client.headObject(b -> b.bucket(settings.bucket()).key(key)).eTag());
                if (!multipartETag(parts).equals(existing)) {
                    throw e;
                }
                try {
                    abort();
                } catch (IOException alreadyCompleted) {
                    // the first completion consumed this upload: nothing is left to abort
                }
            }
        }

        /** S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then "-" and the part count. */
        private static String multipartETag(List<CompletedPart> parts) {
            java.security.MessageDigest md5;
            try {
                md5 = java.security.MessageDigest.getInstance("MD5");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            for (CompletedPart part : parts) {
                md5.update(java.util.HexFormat.of().parseHex(part.eTag().replace("\"", "")));
            }
            return "\"" + java.util.HexFormat.of().formatHex(md5.digest()) + "-" + parts.size() + "\"";
        }

        @Override
        protected void abort() throws IOException {
            if (uploadId != null) {
                call(key, () -> client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId)));
            }
        }
    }
}
