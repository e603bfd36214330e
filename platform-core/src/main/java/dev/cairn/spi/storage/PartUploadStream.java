package dev.cairn.spi.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * An upload in parts with bounded memory, for object stores (S3 multipart, Azure block
 * staging): bytes are cut into parts of {@code partSize}, up to {@code maxInFlight} parts upload
 * in parallel on {@code executor} while the writer fills the next one, so at most
 * {@code (maxInFlight + 1) * partSize} bytes are held. An object smaller than one part is
 * written with one {@link #putWhole} request. If any part fails, or completing fails, the
 * upload is {@linkplain #abort aborted} after the parts in flight have settled, so no part is
 * left behind, and {@link #close} throws.
 */
public abstract class PartUploadStream extends OutputStream {

    private final String description;
    private final int partSize;
    private final int maxInFlight;
    private final Executor executor;
    private final Semaphore inFlight;
    private byte[] buffer;
    private int filled;
    private int partCount;
    private volatile IOException failure;
    private boolean closed;

    protected PartUploadStream(String description, int partSize, int maxInFlight, Executor executor) {
        if (partSize < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("partSize and maxInFlight must be positive");
        }
        this.description = description;
        this.partSize = partSize;
        this.maxInFlight = maxInFlight;
        this.executor = executor;
        this.inFlight = new Semaphore(maxInFlight);
        this.buffer = new byte[Math.min(partSize, 64 * 1024)];
    }

    /** Writes a whole object that fits in one part. */
    protected abstract void putWhole(byte[] data, int length) throws IOException;

    /** Starts the multi-part upload; called once, before the first {@link #uploadPart}. */
    protected abstract void begin() throws IOException;

    /** Uploads part {@code partNumber} (from 1); parts may upload concurrently and out of order. */
    protected abstract void uploadPart(int partNumber, byte[] data, int length) throws IOException;

    /** Makes the object visible from parts 1 to {@code partCount}. */
    protected abstract void complete(int partCount) throws IOException;

    /** Discards the parts of a failed upload. */
    protected abstract void abort() throws IOException;

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (filled == buffer.length) {
                if (buffer.length < partSize) {
                    buffer = java.util.Arrays.copyOf(buffer, (int) Math.min(partSize, 2L * buffer.length));
                } else {
                    shipPart();
                }
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Upload of " + description + " is closed");
        }
        checkFailure();
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw new IOException("Upload of " + description + " failed: " + failure.getMessage(), failure);
        }
    }

    private void shipPart() throws IOException {
        if (partCount == 0) {
            begin();
        }
        int number = ++partCount;
        byte[] data = buffer;
        int length = filled;
        buffer = new byte[partSize];
        filled = 0;
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while uploading " + description);
        }
        try {
            executor.execute(() -> {
                try {
                    if (failure == null) {
                        uploadPart(number, data, length);
                    }
                } catch (IOException | RuntimeException e) {
                    recordFailure(e);
                } finally {
                    inFlight.release();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.release();
            throw new IOException("Upload of " + description + " refused: the storage is closing", e);
        }
        checkFailure();
    }

    private synchronized void recordFailure(Exception e) {
        if (failure == null) {
            failure = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    private void awaitParts() {
        inFlight.acquireUninterruptibly(maxInFlight);
        inFlight.release(maxInFlight);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (partCount == 0 && failure == null) {
            putWhole(buffer, filled);
            buffer = null;
            return;
        }
        try {
            if (failure == null && filled > 0) {
                shipPart();
            }
            awaitParts();
            if (failure == null) {
                complete(partCount);
                return;
            }
        } catch (IOException | RuntimeException e) {
            recordFailure(e);
            awaitParts();
        } finally {
            buffer = null;
        }
        try {
            abort();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        if (failure instanceof java.nio.file.FileAlreadyExistsException) {
            // callers tell "exists" apart from other failures (write-once objects)
            java.nio.file.FileAlreadyExistsException exists = new java.nio.file.FileAlreadyExistsException(description);
            exists.initCause(failure);
            throw exists;
        }
        throw new IOException("Upload of " + description + " failed and was aborted: " + failure.getMessage(), failure);
    }
}
