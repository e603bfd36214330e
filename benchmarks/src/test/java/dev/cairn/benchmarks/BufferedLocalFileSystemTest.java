package dev.cairn.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flink finds the buffered file system by its scheme, and its stream reads what the file holds wherever it seeks. */
class BufferedLocalFileSystemTest {

    @Test
    void flinkResolvesTheSchemeToTheBufferedFileSystem() throws Exception {
        assertThat(FileSystem.get(java.net.URI.create(BufferedLocalFileSystem.SCHEME + ":///tmp"))).isInstanceOf(BufferedLocalFileSystem.class);
    }

    @Test
    void seeksAndReadsOfEverySizeReturnTheFileContent(@TempDir Path dir) throws Exception {
        byte[] content = new byte[300_000];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) random.nextInt(256);
        }
        Path file = Files.write(dir.resolve("data"), content);
        try (FSDataInputStream in = BufferedLocalFileSystem.INSTANCE.open(BufferedLocalFileSystem.path(file))) {
            for (int step = 0; step < 2000; step++) {
                long target = random.nextInt(content.length);
                if (step % 3 != 0) {
                    in.seek(target);
                }
                long pos = in.getPos();
                if (step % 2 == 0) {
                    int b = in.read();
                    assertThat(b).isEqualTo(pos < content.length ? content[(int) pos] & 0xFF : -1);
                } else {
                    byte[] chunk = new byte[step % 5 == 0 ? 100_000 : random.nextInt(1, 5000)];
                    int n = in.read(chunk, 0, chunk.length);
                    assertThat(n).isPositive();
                    for (int i = 0; i < n; i++) {
                        assertThat(chunk[i]).isEqualTo(content[(int) pos + i]);
                    }
                    assertThat(in.getPos()).isEqualTo(pos + n);
                }
            }
        }
    }
}
