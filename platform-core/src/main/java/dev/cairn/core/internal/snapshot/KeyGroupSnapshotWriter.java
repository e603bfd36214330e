package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a full or canonical snapshot of one subtask's keyed state: every key group of the view
 * a backend captured, in order, as sections. This is the only writer of whole snapshots in the
 * shared layout, whichever backend the entries come from. When the view can be read from several
 * threads, the key groups are cut into consecutive runs written in parallel, one file each: the
 * serialization, compression and checksums of a large state then use every core.
 */
public final class KeyGroupSnapshotWriter {

    private static final int MAX_RUNS = 4;

    private KeyGroupSnapshotWriter() {
    }

    /** Writes {@code entries} and releases them. */
    public static KeyGroupSectionsHandle write(KeyGroupEntries entries, KeyGroupRange range, SnapshotFormat format,
                                               SnapshotStreams streams) throws IOException {
        List<StateMetaInfo> states = entries.states();
        try (entries) {
            int runs = entries.readsConcurrently() ? Math.min(Math.min(MAX_RUNS, Runtime.getRuntime().availableProcessors()), range.size()) : 1;
            List<Run> written = runs <= 1 ? List.of(writeRun(entries, range.start(), range.end(), format, streams, ""))
                    : writeRuns(entries, range, runs, format, streams);
            List<KeyGroupSection> sections = new ArrayList<>();
            List<FileRef> files = new ArrayList<>();
            for (Run run : written) {
                sections.addAll(run.sections());
                if (run.file() != null) {
                    files.add(run.file());
                }
            }
            return new KeyGroupSectionsHandle(format.name(), range, states, sections, files);
        }
    }

    private record Run(List<KeyGroupSection> sections, FileRef file) {
    }

    private static List<Run> writeRuns(KeyGroupEntries entries, KeyGroupRange range, int runs, SnapshotFormat format,
                                       SnapshotStreams streams) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(runs, r -> {
            Thread t = new Thread(r, "cairn-snapshot-writer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Run>> pending = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                int first = range.start() + (int) ((long) range.size() * i / runs);
                int last = range.start() + (int) ((long) range.size() * (i + 1) / runs) - 1;
                String suffix = i == 0 ? "" : "-" + i; // the first run's file is named as a single run's
                pending.add(pool.submit(() -> writeRun(entries, first, last, format, streams, suffix)));
            }
            List<Run> written = new ArrayList<>();
            IOException failure = null;
            boolean interrupted = false;
            for (Future<Run> f : pending) {
                // every run ends before the view is released, even on an interrupt: a run reads the backend's view
                while (true) {
                    try {
                        written.add(f.get());
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        IOException cause = e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
                        if (failure == null) {
                            failure = cause;
                        } else {
                            failure.addSuppressed(cause);
                        }
                        break;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while writing a snapshot");
            }
            if (failure != null) {
                throw failure;
            }
            return written;
        } finally {
            pool.shutdown();
            awaitTermination(pool); // a run still reading must end before the view is released
        }
    }

    private static void awaitTermination(ExecutorService pool) {
        boolean interrupted = false;
        while (!pool.isTerminated()) {
            try {
                pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Key groups {@code first..last} into one file; an empty run leaves no file. */
    private static Run writeRun(KeyGroupEntries entries, int first, int last, SnapshotFormat format, SnapshotStreams streams,
                                String suffix) throws IOException {
        LayoutSectionWriter writer = new LayoutSectionWriter(format);
        List<KeyGroupSection> sections = new ArrayList<>();
        SnapshotOutput out = streams.createOwned("keyed-" + format.name() + suffix + ".bin");
        boolean committed = false;
        try {
            for (int kg = first; kg <= last; kg++) {
                KeyGroupSection s = writer.write(entries, kg, out);
                if (s != null) {
                    sections.add(s);
                }
            }
            if (sections.isEmpty()) {
                return new Run(sections, null);
            }
            FileRef file = out.closeAndGetRef();
            committed = true;
            return new Run(sections, file);
        } finally {
            if (!committed) {
                out.close(); // discards the empty or partial file
            }
        }
    }
}
