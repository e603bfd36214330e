package dev.cairn.backend.changelog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A restore applies, for each key and namespace of a value state, only the change that counts. */
class ChangeReplayTest {

    private static ChangeRecords.Change put(int key, int namespace, int value) {
        return new ChangeRecords.Change(ChangeRecords.VALUE_PUT, 0, new byte[] {(byte) key}, new byte[] {(byte) namespace}, null,
                new byte[] {(byte) value}, null);
    }

    private static ChangeRecords.Change clear(int key, int namespace) {
        return new ChangeRecords.Change(ChangeRecords.CLEAR, 0, new byte[] {(byte) key}, new byte[] {(byte) namespace}, null, null, null);
    }

    @Test
    void aValueStateKeepsTheLastChangePerKeyAndNamespace() {
        ChangeRecords.Change k1last = put(1, 0, 3);
        ChangeRecords.Change k1otherNamespace = put(1, 1, 9);
        ChangeRecords.Change k2cleared = clear(2, 0);
        List<ChangeRecords.Change> kept = ChangeReplay.lastWhereEachReplaces(List.of(put(1, 0, 1), put(2, 0, 5), k1otherNamespace,
                put(1, 0, 2), k2cleared, k1last));

        assertThat(kept).containsExactly(k1otherNamespace, k2cleared, k1last);
    }

    @Test
    void appendsAreAppliedWholeAndInOrder() {
        ChangeRecords.Change add = new ChangeRecords.Change(ChangeRecords.LIST_ADD, 0, new byte[] {1}, new byte[] {0}, null, new byte[] {7}, null);
        List<ChangeRecords.Change> log = List.of(put(1, 0, 1), add, add, clear(1, 0), add);

        assertThat(ChangeReplay.lastWhereEachReplaces(log)).isSameAs(log);
    }
}
