package dev.cairn.backend.rocksdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Several file transfers of one checkpoint at a time, as Flink's RocksDB backend does (4 threads
 * per transfer): object stores answer each request after a round trip, so one stream per file
 * leaves the connection idle between files.
 */
final class FileTransfers {

    static final int THREADS = 4;

    private FileTransfers() {
    }

    /** Runs {@code transfers} on up to {@value #THREADS} threads; their results in order, or the first failure. */
    static <T> List<T> run(String what, List<Callable<T>> transfers) throws IOException {
        if (transfers.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(THREADS, transfers.size()), r -> {
            Thread t = new Thread(r, "cairn-rocksdb-transfer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<T>> pending = new ArrayList<>();
            for (Callable<T> transfer : transfers) {
                pending.add(pool.submit(transfer));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : pending) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("Cannot " + what + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while trying to " + what, e);
        } finally {
            pool.shutdownNow();
            awaitWorkers(pool);
        }
    }

    /** A worker still writing after a failure must not outlive the restore, whose database and options it uses. */
    private static void awaitWorkers(java.util.concurrent.ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES)) {
                    break;
                }
                java.util.logging.Logger.getLogger(FileTransfers.class.getName()).warning("Still waiting for restore workers to stop");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
