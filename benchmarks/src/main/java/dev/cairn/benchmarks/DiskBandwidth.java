package dev.cairn.benchmarks;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * This disk's sequential bandwidth, measured in the run: a file written in 8 MiB blocks and
 * synced, then read back with {@code O_DIRECT} so the page cache does not answer for the disk.
 */
record DiskBandwidth(double writeMiBs, double readMiBs) {

    private static final int BLOCK = 8 << 20;

    static DiskBandwidth measure(Path dir, long bytes) throws IOException {
        Path file = Files.createTempFile(dir, "disk-bandwidth-", ".bin");
        try {
            int align = (int) Math.max(4096, Files.getFileStore(dir).getBlockSize());
            ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK + align).alignedSlice(align);
            for (int i = 0; buffer.hasRemaining(); i++) {
                buffer.put((byte) (i * 31 + (i >>> 9))); // not zeros: a file system may compress those
            }
            long start = System.nanoTime();
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (long written = 0; written < bytes; written += BLOCK) {
                    buffer.clear();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
                out.force(true);
            }
            double write = mibPerSecond(bytes, System.nanoTime() - start);
            start = System.nanoTime();
            long read = 0;
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
                int n;
                do {
                    buffer.clear();
                    n = in.read(buffer);
                    read += Math.max(n, 0);
                } while (n > 0);
            }
            return new DiskBandwidth(write, mibPerSecond(read, System.nanoTime() - start));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Where each suite keeps the disk measured in its run, beside its results. */
    static final String SAVEPOINT_RUN = "disk-bandwidth.properties";
    static final String STATE_RUN = "disk-bandwidth-state.properties";

    /** Measured on a temporary file of 4 GiB (256 MiB for a smoke run), more than the page cache keeps of one write. */
    static DiskBandwidth measure(boolean quick) throws IOException {
        Path disk = Files.createTempDirectory("cairn-disk-");
        try {
            return measure(disk, quick ? 256L << 20 : 4L << 30);
        } finally {
            Stores.deleteRecursively(disk);
        }
    }

    void save(Path results, String file) throws IOException {
        Files.writeString(results.resolve(file), "write.mibs=" + writeMiBs + "\nread.mibs=" + readMiBs + "\n");
    }

    /** What the suite's last run measured. */
    static DiskBandwidth load(Path results, String file) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(results.resolve(file))) {
            p.load(in);
        }
        return new DiskBandwidth(Double.parseDouble(p.getProperty("write.mibs")), Double.parseDouble(p.getProperty("read.mibs")));
    }

    private static double mibPerSecond(long bytes, long nanos) {
        return bytes / 1048576.0 / (nanos / 1e9);
    }
}
