package dev.cairn.spi.storage;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a byte range of an object as one stream, reopening it at the current position when a
 * read fails (a connection reset half-way through a large download), within a budget of
 * attempts. Object-store plugins use it for {@link SnapshotStorage#openRange}.
 */
public final class RangeReader extends InputStream {

    /** Opens {@code [offset, offset + length)} of the object; {@code length < 0} means to the end. */
    @FunctionalInterface
    public interface Opener {
        InputStream open(long offset, long length) throws IOException;
    }

    private final Opener opener;
    private final String description;
    private final long end;
    private final int maxAttempts;
    private long position;
    private InputStream current;
    private int failures;

    /**
     * @param maxAttempts how many times one read may be tried in all (at least 1)
     */
    public RangeReader(Opener opener, String description, long offset, long length, int maxAttempts) throws IOException {
        this.opener = opener;
        this.description = description;
        this.position = offset;
        this.end = length < 0 ? -1 : offset + length;
        this.maxAttempts = Math.max(1, maxAttempts);
        this.current = opener.open(offset, length);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            try {
                int n = current.read(b, off, len);
                if (n > 0) {
                    position += n;
                    failures = 0;
                } else if (n < 0 && end >= 0 && position < end) {
                    throw new IOException(description + " ended at byte " + position + ", expected " + end);
                }
                return n;
            } catch (IOException e) {
                if (++failures >= maxAttempts) {
                    throw new IOException("Reading " + description + " failed at byte " + position + " after " + failures + " attempts: " + e.getMessage(), e);
                }
                closeQuietly();
                try {
                    Thread.sleep(Math.min(2_000, 50L << Math.min(failures, 6)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("Interrupted while reading " + description);
                }
                try {
                    current = opener.open(position, end < 0 ? -1 : end - position);
                } catch (IOException reopen) {
                    // counted as a failed read on the next turn of the loop
                    current = new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw reopen;
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            throw reopen;
                        }
                    };
                }
            }
        }
    }

    private void closeQuietly() {
        try {
            current.close();
        } catch (IOException ignored) {
            // the stream already failed; the next attempt opens a new one
        }
    }

    @Override
    public void close() throws IOException {
        current.close();
    }
}
