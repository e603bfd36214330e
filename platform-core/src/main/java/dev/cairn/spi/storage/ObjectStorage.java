package dev.cairn.spi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every object-store plugin shares, so that one only writes the calls to its service: paths
 * become keys under a prefix, ranged reads resume after a broken connection ({@link RangeReader}),
 * {@code exists} is a size request, deletions go in batches, and the write-once metadata commit
 * accepts a retry whose first attempt landed (the object holds exactly the bytes being written).
 * Uploads of parts run on a pool of {@code uploadThreads} (see {@link PartUploadStream}).
 */
public abstract class ObjectStorage implements SnapshotStorage {

    private final String description;
    private final String keyPrefix;
    private final int maxAttempts;
    private final ExecutorService uploads;
    private final ClassLoader sdkLoader = getClass().getClassLoader();

    /**
     * @param description   where the data is, without credentials
     * @param keyPrefix     empty, or ending with '/'
     * @param maxAttempts   tries per read (a broken download reopens within it)
     * @param uploadThreads parts uploaded in parallel
     */
    protected ObjectStorage(String description, String keyPrefix, int maxAttempts, int uploadThreads, String threadName) {
        this.description = description;
        this.keyPrefix = keyPrefix;
        this.maxAttempts = maxAttempts;
        AtomicInteger threads = new AtomicInteger();
        this.uploads = Executors.newFixedThreadPool(uploadThreads, r -> {
            Thread t = new Thread(r, threadName + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens {@code [offset, offset + length)} of an object ({@code length < 0}: to its end); {@link NoSuchFileException} if missing. */
    protected abstract InputStream openObject(String key, long offset, long length) throws IOException;

    /** The object's size; {@link NoSuchFileException} if it is missing. */
    protected abstract long objectSize(String key) throws IOException;

    /** Creates the object only if no object has the key; {@link FileAlreadyExistsException} otherwise. */
    protected abstract void putIfAbsent(String key, byte[] bytes, int length) throws IOException;

    /** Every key that starts with {@code prefix}, across all pages. */
    protected abstract List<String> listKeys(String prefix) throws IOException;

    /** Deletes one object; {@code true} if it existed. */
    protected abstract boolean deleteObject(String key) throws IOException;

    /** Deletes a batch of at most {@link #deleteBatchSize()} objects in one request; missing ones are fine. */
    protected abstract void deleteObjects(List<String> keys) throws IOException;

    protected abstract int deleteBatchSize();

    /** Releases the service client; the upload pool is already stopped. */
    protected void closeClient() throws IOException {
    }

    /** What every key of this storage starts with (its configured prefix; may be empty). */
    protected final String keyPrefix() {
        return keyPrefix;
    }

    /** The object key of a storage path, after checking the path stays inside the root. */
    protected final String key(String path) {
        return keyPrefix + StoragePaths.requireRelative(path);
    }

    protected final Executor uploads() {
        return uploads;
    }

    /** Runs an SDK call with the plugin bundle's class loader as context loader, as SDKs that look up providers expect. */
    protected final <T> T inSdkContext(Callable<T> call) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(sdkLoader);
        try {
            return call.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** {@link #putIfAbsent}, accepting a retry whose first attempt landed: the object then holds exactly these bytes. */
    protected final void writeOnce(String key, byte[] bytes, int length) throws IOException {
        try {
            putIfAbsent(key, bytes, length);
        } catch (FileAlreadyExistsException e) {
            byte[] existing;
            try (InputStream in = openObject(key, 0, -1)) {
                existing = in.readAllBytes();
            }
            if (!Arrays.equals(existing, 0, existing.length, bytes, 0, length)) {
                throw e;
            }
        }
    }

    @Override
    public final String describe() {
        return description;
    }

    @Override
    public final InputStream openRange(String path, long offset, long length) throws IOException {
        String key = key(path);
        if (length == 0) {
            objectSize(key);
            return InputStream.nullInputStream();
        }
        return new RangeReader((from, len) -> openObject(key, from, len), description + " " + path, offset, length, maxAttempts);
    }

    @Override
    public final List<String> list(String prefix) throws IOException {
        List<String> paths = new ArrayList<>();
        for (String key : listKeys(keyPrefix + prefix)) {
            paths.add(key.substring(keyPrefix.length()));
        }
        paths.sort(null);
        return paths;
    }

    @Override
    public final boolean exists(String path) throws IOException {
        try {
            objectSize(key(path));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Override
    public final long size(String path) throws IOException {
        return objectSize(key(path));
    }

    @Override
    public final boolean delete(String path) throws IOException {
        return deleteObject(key(path));
    }

    @Override
    public final void deleteAll(Collection<String> paths) throws IOException {
        List<String> batch = new ArrayList<>();
        for (String path : paths) {
            batch.add(key(path));
            if (batch.size() == deleteBatchSize()) {
                deleteObjects(batch);
                batch = new ArrayList<>();
            }
        }
        if (!batch.isEmpty()) {
            deleteObjects(batch);
        }
    }

    @Override
    public final void commitMetadata(String path, byte[] bytes) throws IOException {
        writeOnce(key(path), bytes, bytes.length);
    }

    @Override
    public final void close() throws IOException {
        uploads.shutdown();
        try {
            uploads.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClient();
    }
}
