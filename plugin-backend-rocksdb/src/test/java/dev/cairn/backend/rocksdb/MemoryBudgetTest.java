package dev.cairn.backend.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void readsStringsAndNumbersWithDefaults() {
        assertThat(RocksDBStateBackend.MemoryBudget.of(Map.of())).isEqualTo(new RocksDBStateBackend.MemoryBudget(256, 64));
        assertThat(RocksDBStateBackend.MemoryBudget.of(Map.of("block-cache-mb", "512", "write-buffer-mb", 128)))
                .isEqualTo(new RocksDBStateBackend.MemoryBudget(512, 128));
    }

    @Test
    void refusalsNameThePropertyTheValueAndWhatIsAllowed() {
        assertThatThrownBy(() -> RocksDBStateBackend.MemoryBudget.of(Map.of("block-cache-mb", "lots")))
                .hasMessage("block-cache-mb=lots is not allowed: use an integer from 8 to 1048576 (MiB)");
        assertThatThrownBy(() -> RocksDBStateBackend.MemoryBudget.of(Map.of("write-buffer-mb", 2)))
                .hasMessage("write-buffer-mb=2 is not allowed: use an integer from 4 to 1048576 (MiB)");
        assertThatThrownBy(() -> RocksDBStateBackend.MemoryBudget.of(Map.of("block-cache-mb", 64, "write-buffer-mb", 128)))
                .hasMessageStartingWith("write-buffer-mb=128 is not allowed: use at most block-cache-mb (64)");
    }

    @Test
    void sharedMemoryIsReportedAgainstItsBounds() {
        RocksDBStateBackend backend = new RocksDBStateBackend(Map.of("block-cache-mb", 32, "write-buffer-mb", 8));
        assertThat(backend.metrics()).containsEntry("block-cache-capacity-bytes", 32L << 20)
                .containsEntry("write-buffer-capacity-bytes", 8L << 20).containsKey("block-cache-used-bytes");
        assertThat(backend.metrics().get("block-cache-used-bytes")).isBetween(0L, 32L << 20);
    }
}
