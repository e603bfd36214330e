package dev.cairn.spi.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyGroupsTest {

    @Test
    void rangesPartitionTheKeyGroupsAndAgreeWithSubtaskAssignment() {
        for (int max : new int[]{1, 7, 128, 1000}) {
            for (int p = 1; p <= Math.min(max, 17); p++) {
                int next = 0;
                for (int i = 0; i < p; i++) {
                    KeyGroupRange r = KeyGroups.rangeForSubtask(max, p, i);
                    assertThat(r.start()).as("max %s p %s subtask %s", max, p, i).isEqualTo(next);
                    for (int g = r.start(); g <= r.end(); g++) {
                        assertThat(KeyGroups.subtaskFor(g, max, p)).isEqualTo(i);
                    }
                    next = r.end() + 1;
                }
                assertThat(next).isEqualTo(max);
            }
        }
    }

    @Test
    void keysSpreadOverKeyGroups() {
        int[] counts = new int[128];
        for (int k = 0; k < 128_000; k++) {
            counts[KeyGroups.keyGroupFor(k, 128)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(700, 1300);
        }
    }
}
