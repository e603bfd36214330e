package dev.cairn.examples.offers;

import dev.cairn.api.job.TwoPhaseCommitSink;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.TypeSerializer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes lines exactly once: a transaction is a hidden in-progress file; pre-commit makes it
 * durable; commit renames it to a visible {@code part-*} file (a no-op if that already happened).
 */
public final class TransactionalFileSink implements TwoPhaseCommitSink<String, String> {

    private static final long serialVersionUID = 1L;
    private static final String IN_PROGRESS = ".in-progress";

    private final String directory;
    private final long writeDelayNanos;
    private transient Map<String, BufferedWriter> writers;
    private transient int subtask;

    public TransactionalFileSink(Path directory) {
        this(directory, 0);
    }

    /** @param writeDelayMicros how long each write waits: a slow sink, which backpressures the job */
    public TransactionalFileSink(Path directory, int writeDelayMicros) {
        this.directory = directory.toAbsolutePath().toString();
        this.writeDelayNanos = writeDelayMicros * 1_000L;
    }

    @Override
    public TypeSerializer<String> transactionSerializer() {
        return Serializers.STRING;
    }

    @Override
    public void open(int subtaskIndex, int parallelism) throws IOException {
        writers = new HashMap<>();
        subtask = subtaskIndex;
        Files.createDirectories(Path.of(directory, IN_PROGRESS));
    }

    @Override
    public String beginTransaction() throws IOException {
        String name = "part-" + subtask + "-" + UUID.randomUUID();
        writers.put(name, Files.newBufferedWriter(Path.of(directory, IN_PROGRESS, name), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        return name;
    }

    @Override
    public void write(String txn, String line) throws IOException {
        if (writeDelayNanos > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(writeDelayNanos);
        }
        BufferedWriter w = writers.get(txn);
        w.write(line);
        w.newLine();
    }

    @Override
    public void preCommit(String txn) throws IOException {
        writers.remove(txn).close();
        try (FileChannel ch = FileChannel.open(Path.of(directory, IN_PROGRESS, txn), StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    @Override
    public void commit(String txn) throws IOException {
        try {
            Files.move(Path.of(directory, IN_PROGRESS, txn), Path.of(directory, txn));
        } catch (NoSuchFileException | FileAlreadyExistsException e) {
            if (!Files.exists(Path.of(directory, txn))) {
                throw new IOException("Transaction " + txn + " is neither pending nor committed in " + directory, e);
            }
        }
    }

    @Override
    public void abort(String txn) throws IOException {
        BufferedWriter w = writers == null ? null : writers.remove(txn);
        if (w != null) {
            w.close();
        }
        Files.deleteIfExists(Path.of(directory, IN_PROGRESS, txn));
    }

    /** Deletes every in-progress file that is not a restored transaction: it belongs to a snapshot that never completed. */
    @Override
    public void abortLingering(java.util.Collection<String> restored) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(directory, IN_PROGRESS))) {
            for (Path f : files.filter(f -> !restored.contains(f.getFileName().toString())).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** Every committed line in {@code directory}. */
    public static List<String> readCommitted(Path directory) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            return lines;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
