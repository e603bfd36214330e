package dev.cairn.connector.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Event time over partitions, with time passed in explicitly (no clock). */
class PartitionWatermarksTest {

    private static final long MS = 1_000_000L;

    @Test
    void theSlowestActivePartitionHoldsTheWatermark() {
        PartitionWatermarks w = new PartitionWatermarks(100, 1_000);
        w.assigned("a", 0);
        w.assigned("b", 0);
        w.record("a", 5_000, 10 * MS);
        assertThat(w.advance(10 * MS)).as("b has had no record yet").isEqualTo(Long.MIN_VALUE);
        w.record("b", 2_000, 20 * MS);
        assertThat(w.advance(20 * MS)).isEqualTo(2_000 - 100 - 1);
        assertThat(w.advance(30 * MS)).as("no advance, nothing to emit").isEqualTo(Long.MIN_VALUE);
        w.record("b", 3_000, 40 * MS);
        assertThat(w.advance(40 * MS)).isEqualTo(3_000 - 100 - 1);
    }

    @Test
    void anIdlePartitionStopsHoldingItBackAndTheWatermarkNeverGoesBack() {
        PartitionWatermarks w = new PartitionWatermarks(0, 1_000);
        w.assigned("a", 0);
        w.assigned("b", 0);
        w.record("a", 9_000, 10 * MS);
        w.record("b", 1_000, 10 * MS);
        assertThat(w.advance(10 * MS)).isEqualTo(999);
        // b quiet for longer than the idle timeout while a goes on
        w.record("a", 10_000, 1_500 * MS);
        assertThat(w.advance(1_500 * MS)).isEqualTo(9_999);
        // b wakes up with an old timestamp: it holds event time again, but the emitted watermark does not go back
        w.record("b", 2_000, 1_600 * MS);
        assertThat(w.advance(1_600 * MS)).isEqualTo(Long.MIN_VALUE);
        w.record("b", 12_000, 1_700 * MS);
        assertThat(w.advance(1_700 * MS)).as("a, at 10,000, is the slowest again").isEqualTo(Long.MIN_VALUE);
        w.record("a", 11_000, 1_800 * MS);
        assertThat(w.advance(1_800 * MS)).isEqualTo(10_999);
    }

    @Test
    void aRemovedPartitionNoLongerCounts() {
        PartitionWatermarks w = new PartitionWatermarks(0, 1_000);
        w.assigned("a", 0);
        w.assigned("b", 0);
        w.record("a", 5_000, MS);
        w.record("b", 1_000, MS);
        assertThat(w.advance(MS)).isEqualTo(999);
        w.removed("b");
        assertThat(w.advance(2 * MS)).isEqualTo(4_999);
    }
}
