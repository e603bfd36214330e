package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.conformance.BackendHarness;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What native incremental checkpoints cost: only the SST files written since the last completed one. */
class RocksDBIncrementalCheckpointTest {

    private static final int KEYS = 1_000_000;

    @TempDir
    Path temp;

    @Test
    void afterTenPercentOfAMillionKeysChangeAnIncrementalCheckpointUploadsAtMostAFifthOfAFullOne() throws Exception {
        LocalFileStorage storage = new LocalFileStorage(temp.resolve("storage"));
        try (BackendHarness h = new BackendHarness(new RocksDBStateBackend(), storage, new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1),
                temp.resolve("work"), new AtomicLong(), RestoreContext.NONE)) {
            ValueState<String> state = h.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
            for (long k = 0; k < KEYS; k++) {
                h.key(k);
                state.update("value-" + k);
            }
            KeyedStateHandle first = h.snapshot(1, true);
            long full = uploaded(first);
            SplittableRandom random = new SplittableRandom(3);
            for (int i = 0; i < KEYS / 10; i++) {
                long k = random.nextInt(KEYS);
                h.key(k);
                state.update("changed-" + k);
            }
            KeyedStateHandle second = h.snapshot(2, true);

            long newFiles = second.storedFiles().stream().filter(f -> first.storedFiles().stream().noneMatch(g -> g.path().equals(f.path())))
                    .mapToLong(FileRef::size).sum();
            System.out.printf("RocksDB incremental checkpoint after 10%% of %,d keys changed: %,d bytes uploaded, full: %,d%n", KEYS, newFiles, full);
            assertThat(newFiles).as("bytes uploaded after 10%% of %d keys changed, against %d for the first, full one", KEYS, full)
                    .isLessThanOrEqualTo(full / 5);
            assertThat(second.storedFiles()).as("the first checkpoint's SST files are referenced again")
                    .anyMatch(f -> f.path().endsWith(".sst") && first.storedFiles().contains(f));

            try (BackendHarness restored = new BackendHarness(new RocksDBStateBackend(), storage, new KeyGroupRange(0, BackendHarness.MAX_PARALLELISM - 1),
                    temp.resolve("restored"), new AtomicLong(), BackendHarness.restoreFrom(storage, List.of(second), true))) {
                ValueState<String> r = restored.states.getState(new ValueStateDescriptor<>("value", Serializers.STRING));
                SplittableRandom again = new SplittableRandom(3);
                long changed = again.nextInt(KEYS);
                restored.key(changed);
                assertThat(r.value()).isEqualTo("changed-" + changed);
                restored.key(KEYS - 1);
                assertThat(r.value()).isIn("value-" + (KEYS - 1), "changed-" + (KEYS - 1));
            }
        }
    }

    private static long uploaded(KeyedStateHandle handle) {
        return handle.storedFiles().stream().mapToLong(FileRef::size).sum();
    }
}
