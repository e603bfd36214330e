package dev.cairn.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.conformance.FaultInjectingProxy.Fault;
import dev.cairn.spi.storage.SnapshotStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What an object-store plugin must survive, checked through a {@link FaultInjectingProxy} in
 * front of its real server: errors, resets and slow answers within the retry budget, an outage
 * of every write, downloads cut short, and retried commits. Extend it next to the conformance kit.
 */
public abstract class ObjectStorageFaultTest {

    protected static final int MIB = 1024 * 1024;

    /** The port of the storage server under test. */
    protected abstract int serverPort();

    /**
     * A storage on a fresh, empty bucket or container, reached through {@code port} (the
     * server's or a proxy's), with {@code maxAttempts} tries per request and uploads in parts of
     * {@code partMiB} (or the store's smallest allowed part, if larger).
     */
    protected abstract SnapshotStorage open(int port, int maxAttempts, int partMiB) throws IOException;

    /** The request-line marker of a download, for cutting it short. */
    protected String downloadMarker() {
        return "GET";
    }

    public static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Writes in 100 kB pieces, as a snapshot stream does. */
    public static void write(SnapshotStorage storage, String path, byte[] data) throws IOException {
        try (OutputStream out = storage.create(path)) {
            for (int i = 0; i < data.length; i += 100_000) {
                out.write(data, i, Math.min(100_000, data.length - i));
            }
        }
    }

    public static byte[] read(SnapshotStorage storage, String path) throws IOException {
        try (InputStream in = storage.open(path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void retriesRideOutErrorsResetsAndSlowAnswersWithinTheBudget() throws Exception {
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(serverPort(), 200);
             SnapshotStorage storage = open(proxy.port(), 10, 5)) {
            proxy.setPolicy(FaultInjectingProxy.random(42, 0.15, 0.15, 0.1));
            List<byte[]> written = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                byte[] data = random(i % 4 == 0 ? 11 * MIB : 1000 + i * 7919, i);
                write(storage, "job/chk-" + i + "/state", data);
                written.add(data);
                storage.commitMetadata("job/chk-" + i + "/_metadata", ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < 12; i++) {
                assertThat(read(storage, "job/chk-" + i + "/state")).as("object %d", i).isEqualTo(written.get(i));
            }
            storage.deleteAll(storage.list("job/chk-1"));
            assertThat(storage.list("job/chk-1")).isEmpty();
            assertThat(proxy.injected(Fault.ERROR_500) + proxy.injected(Fault.RESET)).as("faults injected").isGreaterThan(10);
        }
    }

    @Test
    void whenEveryWriteFailsTheCallerGetsAnErrorAndTheLastGoodMetadataStays() throws Exception {
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(serverPort(), 0);
             SnapshotStorage storage = open(proxy.port(), 3, 5)) {
            storage.commitMetadata("job/chk-1/_metadata", "{\"good\":1}".getBytes(StandardCharsets.UTF_8));
            proxy.setPolicy(line -> line.startsWith("PUT") || line.startsWith("POST") ? Fault.RESET : Fault.NONE);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-2/_metadata", "{}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(IOException.class).hasMessageContaining("job/chk-2/_metadata");
            assertThatThrownBy(() -> write(storage, "job/chk-2/state", random(7 * MIB, 3))).isInstanceOf(IOException.class);
            assertThat(storage.list("job/")).containsExactly("job/chk-1/_metadata");
            assertThat(new String(read(storage, "job/chk-1/_metadata"), StandardCharsets.UTF_8)).isEqualTo("{\"good\":1}");
        }
    }

    @Test
    void aBrokenDownloadResumesWhereItStopped() throws Exception {
        byte[] data = random(3 * MIB, 9);
        try (FaultInjectingProxy proxy = new FaultInjectingProxy(serverPort(), 0);
             SnapshotStorage storage = open(proxy.port(), 4, 5)) {
            write(storage, "job/f", data);
            AtomicInteger gets = new AtomicInteger();
            // the first two downloads break after 256 KiB: the reader reopens at the byte it had reached
            proxy.setPolicy(line -> line.startsWith("GET") && line.contains(downloadMarker()) && gets.incrementAndGet() <= 2
                    ? Fault.CUT_RESPONSE : Fault.NONE);
            assertThat(read(storage, "job/f")).isEqualTo(data);
            assertThat(gets.get()).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void aCommitRetriedAfterItsFirstAttemptLandedSucceeds() throws Exception {
        try (SnapshotStorage storage = open(serverPort(), 5, 5)) {
            byte[] metadata = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            // the same bytes again is what a retry after a lost answer looks like: not a conflict
            storage.commitMetadata("job/chk-7/_metadata", metadata);
            assertThatThrownBy(() -> storage.commitMetadata("job/chk-7/_metadata", "{\"id\":8}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(FileAlreadyExistsException.class);
        }
    }
}
