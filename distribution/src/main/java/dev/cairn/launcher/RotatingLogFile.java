package dev.cairn.launcher;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.logging.ErrorManager;
import java.util.logging.LogRecord;
import java.util.logging.StreamHandler;

/**
 * The platform's log file: always {@code file} (operators and scripts tail one name), moved to
 * {@code file.1} once it holds {@code limit} bytes, older ones to {@code .2} … {@code .keep};
 * the oldest is dropped. The JDK's FileHandler rotates too, but only under numbered names.
 */
final class RotatingLogFile extends StreamHandler {

    private final Path file;
    private final long limit;
    private final int keep;
    private long written;

    RotatingLogFile(Path file, long limit, int keep) throws IOException {
        if (limit < 1 || keep < 1) {
            throw new IllegalArgumentException("limit and keep must be positive: " + limit + ", " + keep);
        }
        this.file = file;
        this.limit = limit;
        this.keep = keep;
        open();
    }

    private void open() throws IOException {
        written = Files.exists(file) ? Files.size(file) : 0;
        OutputStream counting = new FilterOutputStream(new FileOutputStream(file.toFile(), true)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                written += len;
            }

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                written++;
            }
        };
        setOutputStream(counting); // closes the stream before it
    }

    @Override
    public synchronized void publish(LogRecord record) {
        super.publish(record);
        flush();
        if (written >= limit) {
            try {
                rotate();
            } catch (IOException | UncheckedIOException e) {
                reportError("Cannot rotate " + file, e instanceof IOException io ? io : ((UncheckedIOException) e).getCause(), ErrorManager.GENERIC_FAILURE);
            }
        }
    }

    private void rotate() throws IOException {
        flush();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path numbered(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }
}
