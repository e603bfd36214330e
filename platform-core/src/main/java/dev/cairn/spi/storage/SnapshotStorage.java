package dev.cairn.spi.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Durable bytes under one root. Paths are relative, '/'-separated and checked with
 * {@link StoragePaths#requireRelative}; an implementation never touches anything outside its root.
 */
@ConsumerType
public interface SnapshotStorage extends AutoCloseable {

    /** A short description for messages, without credentials (e.g. {@code file:/var/cairn}). */
    String describe();

    /**
     * Creates a new object and streams into it; it becomes visible when the stream is closed.
     * Fails if the object exists.
     */
    OutputStream create(String path) throws IOException;

    /** Reads {@code length} bytes from {@code offset}; {@code length < 0} reads to the end. */
    InputStream openRange(String path, long offset, long length) throws IOException;

    default InputStream open(String path) throws IOException {
        return openRange(path, 0, -1);
    }

    /** All objects whose path starts with {@code prefix}, sorted; a missing prefix gives an empty list. */
    List<String> list(String prefix) throws IOException;

    boolean exists(String path) throws IOException;

    long size(String path) throws IOException;

    /** Deletes one object; returns false if it did not exist. */
    boolean delete(String path) throws IOException;

    /**
     * Deletes many objects; object stores override it with their batch delete. Objects that do
     * not exist are skipped.
     */
    default void deleteAll(java.util.Collection<String> paths) throws IOException {
        for (String path : paths) {
            delete(path);
        }
    }

    /**
     * Deletes what unfinished writes under {@code prefix} left behind that {@link #list} does not
     * show (temporary files, open multipart uploads). The platform calls it only when nothing
     * under the prefix is being written. The default has nothing to delete.
     *
     * @return how many such leftovers were deleted
     */
    default int deleteIncomplete(String prefix) throws IOException {
        return 0;
    }

    /**
     * Writes {@code bytes} to {@code path} atomically and durably, once: readers see the whole
     * content or nothing, and a second commit to the same path fails with
     * {@link java.nio.file.FileAlreadyExistsException}.
     */
    void commitMetadata(String path, byte[] bytes) throws IOException;

    @Override
    default void close() throws IOException {
    }
}
