package dev.cairn.benchmarks;

import java.io.IOException;
import java.net.URI;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * Flink's local file system with buffered reads, under the scheme {@value #SCHEME}. Flink reads
 * {@code file://} checkpoints through an unbuffered stream, and its String serializer reads a byte
 * at a time, so an unconfigured local restore is dominated by system calls; the file systems a
 * careful deployment keeps checkpoints on (S3, HDFS) buffer. The benchmark compares against that.
 */
final class BufferedLocalFileSystem extends LocalFileSystem {

    static final String SCHEME = "bufferedfile";
    static final int BUFFER_SIZE = 64 * 1024;
    static final BufferedLocalFileSystem INSTANCE = new BufferedLocalFileSystem();

    /** {@code dir} as a Flink path on this file system. */
    static Path path(java.nio.file.Path dir) {
        return new Path(SCHEME, null, dir.toAbsolutePath().toString());
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        return new BufferedInput(super.open(f), Math.max(bufferSize, BUFFER_SIZE));
    }

    @Override
    public FSDataInputStream open(Path f) throws IOException {
        return new BufferedInput(super.open(f), BUFFER_SIZE);
    }

    /** Registered through {@code META-INF/services}: Flink finds file systems by scheme. */
    public static final class Factory implements FileSystemFactory {

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileSystem create(URI fsUri) {
            return INSTANCE;
        }
    }

    /** A seekable stream with a read buffer; a seek inside the buffer keeps it. */
    static final class BufferedInput extends FSDataInputStream {

        private final FSDataInputStream in;
        private final byte[] buffer;
        private long bufferStart;
        private int position;
        private int limit;

        BufferedInput(FSDataInputStream in, int size) throws IOException {
            this.in = in;
            this.buffer = new byte[size];
            this.bufferStart = in.getPos();
        }

        @Override
        public void seek(long target) throws IOException {
            if (target >= bufferStart && target <= bufferStart + limit) {
                position = (int) (target - bufferStart);
                return;
            }
            in.seek(target);
            bufferStart = target;
            position = 0;
            limit = 0;
        }

        @Override
        public long getPos() {
            return bufferStart + position;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (position == limit) {
                if (len >= buffer.length) { // large reads bypass the buffer
                    bufferStart += limit;
                    position = 0;
                    limit = 0;
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        bufferStart += n;
                    }
                    return n;
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - position);
            System.arraycopy(buffer, position, b, off, n);
            position += n;
            return n;
        }

        private boolean fill() throws IOException {
            bufferStart += limit;
            position = 0;
            limit = 0;
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            limit = n;
            return true;
        }

        @Override
        public int available() throws IOException {
            return (limit - position) + in.available();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
