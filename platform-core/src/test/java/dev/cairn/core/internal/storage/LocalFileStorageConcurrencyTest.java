package dev.cairn.core.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deletion removes the directories it leaves empty; a file created in the same directory at
 * that moment must still be created (parallel snapshot writers discard empty files beside others).
 */
class LocalFileStorageConcurrencyTest {

    @Test
    void filesAreCreatedWhileAnotherWriterEmptiesTheirDirectory(@TempDir Path root) throws Exception {
        LocalFileStorage storage = new LocalFileStorage(root);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> churn = pool.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    try (OutputStream out = storage.create("job/chk-1/op/discarded-" + i)) {
                        out.write(1);
                    }
                    storage.delete("job/chk-1/op/discarded-" + i); // empties the directory, which goes too
                }
                return null;
            });
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    try (OutputStream out = storage.create("job/chk-1/op/kept-" + i)) {
                        out.write(2);
                    }
                    storage.delete("job/chk-1/op/kept-" + i);
                }
                return null;
            });
            churn.get();
            writer.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(storage.exists("job/chk-1/op/kept-1999")).isFalse();
    }
}
