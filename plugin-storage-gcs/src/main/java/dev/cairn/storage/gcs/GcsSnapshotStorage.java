package dev.cairn.storage.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.cairn.spi.storage.ObjectStorage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Snapshots as objects in one bucket under a name prefix, through the JSON API. An object
 * smaller than a chunk goes up in one request; a larger one streams as a resumable upload, one
 * chunk in memory. Every write is conditional on the object not existing
 * ({@code ifGenerationMatch=0}), so the metadata commit is write-once.
 */
final class GcsSnapshotStorage extends ObjectStorage {

    private final GcsSettings settings;
    private final Storage storage;

    GcsSnapshotStorage(GcsSettings settings) throws IOException {
        this(settings, (Storage) null);
    }

    /** Over a given client (the SDK's in-process {@code LocalStorageHelper} in tests), or a new one for {@code null}. */
    GcsSnapshotStorage(GcsSettings settings, Storage storage) throws IOException {
        // uploads stream sequentially (resumable uploads take chunks in order): one upload thread is never used
        super(settings.toString(), settings.prefix(), settings.maxAttempts(), 1, "cairn-gcs-upload");
        this.settings = settings;
        this.storage = storage != null ? storage : call("", () -> options(settings).getService());
    }

    private static StorageOptions options(GcsSettings settings) throws IOException {
        StorageOptions.Builder b = StorageOptions.http()
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout((int) Duration.ofSeconds(settings.connectTimeoutSeconds()).toMillis())
                        .setReadTimeout((int) Duration.ofSeconds(settings.requestTimeoutSeconds()).toMillis())
                        .build())
                .setRetrySettings(RetrySettings.newBuilder()
                        .setMaxAttempts(settings.maxAttempts())
                        .setInitialRetryDelayDuration(Duration.ofMillis(100))
                        .setRetryDelayMultiplier(2.0)
                        .setMaxRetryDelayDuration(Duration.ofSeconds(10))
                        .setTotalTimeoutDuration(Duration.ofSeconds((long) settings.requestTimeoutSeconds() * settings.maxAttempts()))
                        .build());
        if (!settings.endpoint().isEmpty()) {
            b.setHost(settings.endpoint());
        }
        if (!settings.projectId().isEmpty()) {
            b.setProjectId(settings.projectId());
        }
        switch (settings.credentials()) {
            case "none" -> b.setCredentials(NoCredentials.getInstance());
            case "service-account-file" -> {
                try (InputStream key = new FileInputStream(settings.serviceAccountFile())) {
                    b.setCredentials(GoogleCredentials.fromStream(key));
                }
            }
            default -> {
                // application default credentials, resolved by the SDK
            }
        }
        return b.build();
    }

    private BlobId id(String key) {
        return BlobId.of(settings.bucket(), key);
    }

    @Override
    public OutputStream create(String path) {
        return new Upload(id(key(path)));
    }

    @Override
    protected InputStream openObject(String key, long from, long length) throws IOException {
        BlobId id = id(key);
        return call(key, () -> {
            ReadChannel channel = storage.reader(id);
            channel.seek(from);
            if (length >= 0) {
                channel.limit(from + length);
            }
            // read ahead so that a missing object fails here, as NoSuchFileException, not at the first read
            BufferedInputStream in = new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024);
            in.mark(1);
            in.read();
            in.reset();
            return in;
        });
    }

    @Override
    protected List<String> listKeys(String prefix) throws IOException {
        return call(prefix, () -> {
            List<String> keys = new ArrayList<>();
            for (Blob blob : storage.list(settings.bucket(), Storage.BlobListOption.prefix(prefix)).iterateAll()) {
                keys.add(blob.getName());
            }
            return keys;
        });
    }

    @Override
    protected long objectSize(String key) throws IOException {
        Blob blob = call(key, () -> storage.get(id(key)));
        if (blob == null) {
            throw new NoSuchFileException("gs://" + settings.bucket() + "/" + key);
        }
        return blob.getSize();
    }

    @Override
    protected boolean deleteObject(String key) throws IOException {
        return call(key, () -> storage.delete(id(key)));
    }

    /** The JSON API takes at most 100 calls per batch request. */
    @Override
    protected int deleteBatchSize() {
        return 100;
    }

    @Override
    protected void deleteObjects(List<String> keys) throws IOException {
        deleteBatch(keys.stream().map(this::id).toList());
    }

    private void deleteBatch(List<BlobId> ids) throws IOException {
        // false for an object that was already gone, which is fine; a single delete needs no batch request
        if (ids.size() == 1) {
            call(ids.get(0).getName(), () -> storage.delete(ids.get(0)));
            return;
        }
        // the SDK does not retry batch requests; deleting is idempotent, so this does, within the same budget
        for (int attempt = 1; ; attempt++) {
            try {
                call(ids.get(0).getName(), () -> storage.delete(ids));
                return;
            } catch (IOException e) {
                if (attempt >= settings.maxAttempts()) {
                    throw e;
                }
                try {
                    Thread.sleep(Math.min(10_000, 100L << Math.min(attempt, 7)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("Interrupted while deleting from " + describe());
                }
            }
        }
    }

    @Override
    protected void putIfAbsent(String key, byte[] bytes, int length) throws IOException {
        call(key, () -> storage.create(BlobInfo.newBuilder(id(key)).build(), bytes, 0, length, Storage.BlobTargetOption.doesNotExist()));
    }

    /** Runs an SDK call in the bundle's context, turning SDK failures into IOExceptions. */
    private <T> T call(String name, Callable<T> request) throws IOException {
        String where = "gs://" + settings.bucket() + "/" + name;
        try {
            return inSdkContext(request);
        } catch (StorageException e) {
            throw translate(where, e);
        } catch (IOException e) {
            if (e.getCause() instanceof StorageException se) {
                throw translate(where, se);
            }
            throw e;
        } catch (Exception e) {
            throw new IOException("GCS request for " + where + " failed: " + e.getMessage(), e);
        }
    }

    private static IOException translate(String where, StorageException e) {
        if (e.getCode() == 404) {
            NoSuchFileException missing = new NoSuchFileException(where);
            missing.initCause(e);
            return missing;
        }
        if (e.getCode() == 412) {
            FileAlreadyExistsException exists = new FileAlreadyExistsException(where);
            exists.initCause(e);
            return exists;
        }
        return new IOException("GCS request for " + where + " failed: " + e.getCode() + " " + e.getMessage(), e);
    }

    @Override
    protected void closeClient() throws IOException {
        try {
            storage.close();
        } catch (Exception e) {
            throw new IOException("Closing the GCS client failed", e);
        }
    }

    /**
     * One object: held in memory up to a chunk and created in one request, or else streamed as a
     * resumable upload. A failed resumable upload is never finalized, so no object appears.
     */
    private final class Upload extends OutputStream {
        private final BlobId id;
        private ByteArrayOutputStream held = new ByteArrayOutputStream();
        private WriteChannel channel;
        private boolean closed;

        Upload(BlobId id) {
            this.id = id;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("Upload of gs://" + settings.bucket() + "/" + id.getName() + " is closed");
            }
            if (channel == null && held.size() + len <= settings.chunkSizeBytes()) {
                held.write(b, off, len);
                return;
            }
            if (channel == null) {
                channel = call(id.getName(), () -> {
                    WriteChannel w = storage.writer(BlobInfo.newBuilder(id).build(), Storage.BlobWriteOption.doesNotExist());
                    w.setChunkSize(settings.chunkSizeBytes());
                    return w;
                });
                byte[] first = held.toByteArray();
                held = null;
                writeFully(ByteBuffer.wrap(first));
            }
            writeFully(ByteBuffer.wrap(b, off, len));
        }

        private void writeFully(ByteBuffer buffer) throws IOException {
            call(id.getName(), () -> {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (channel == null) {
                byte[] bytes = held.toByteArray();
                held = null;
                writeOnce(id.getName(), bytes, bytes.length);
            } else {
                call(id.getName(), () -> {
                    channel.close();
                    return null;
                });
            }
        }
    }
}
