package dev.cairn.backend.offheap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a store's change log tells each incremental checkpoint: every key changed since its base, or that it cannot. */
class ChangeLogTest {

    private static final long LARGE_STORE = 1L << 30;

    private static byte[] row(String key) {
        return Rows.prefix(key.getBytes(StandardCharsets.UTF_8), new byte[0]);
    }

    private static List<String> keys(ChangeLog.Slice slice) {
        List<String> keys = new ArrayList<>();
        slice.forEach(prefix -> {
            Rows.Parsed p = Rows.parse(prefix);
            keys.add(new String(p.key(prefix), StandardCharsets.UTF_8));
        });
        return keys;
    }

    @Test
    void aKeyChangedAgainRightAfterACheckpointIsInTheNextOne() {
        ChangeLog log = new ChangeLog(true);
        log.append(row("a"), LARGE_STORE);
        log.append(row("a"), LARGE_STORE); // twice in a row: logged once
        ChangeLog.Slice first = log.freeze();
        assertThat(keys(first)).containsExactly("a");
        log.append(row("a"), LARGE_STORE);
        log.rebase(first.position());
        assertThat(keys(log.freeze())).containsExactly("a");
    }

    @Test
    void aCheckpointThatNeverCompletedLeavesTheNextBuildingOnTheOldBase() {
        ChangeLog log = new ChangeLog(true);
        log.append(row("a"), LARGE_STORE);
        ChangeLog.Slice first = log.freeze();
        log.rebase(first.position());
        log.append(row("b"), LARGE_STORE);
        ChangeLog.Slice aborted = log.freeze();
        assertThat(keys(aborted)).containsExactly("b");
        log.append(row("c"), LARGE_STORE);
        assertThat(keys(log.freeze())).containsExactly("b", "c");
    }

    @Test
    void aLogPastHalfTheStoreStopsAndIsCompleteAgainOnlyFromACheckpointTakenAfter() {
        ChangeLog log = new ChangeLog(true);
        log.rebase(log.freeze().position());
        for (int i = 0; i < 1_000; i++) {
            log.append(row("key-" + i), 2_000); // a store of 2,000 bytes: a log over 4 KiB stops
        }
        ChangeLog.Slice stopped = log.freeze();
        assertThat(stopped.complete()).isFalse();
        log.append(row("after"), 2_000);
        // the checkpoint taken while stopped does not complete: the next one still cannot build on the old base
        assertThat(log.freeze().complete()).isFalse();
        log.append(row("later"), 2_000);
        ChangeLog.Slice restarted = log.freeze();
        log.rebase(restarted.position());
        log.append(row("last"), 2_000);
        ChangeLog.Slice next = log.freeze();
        assertThat(next.complete()).isTrue();
        assertThat(keys(next)).containsExactly("last");
    }

    @Test
    void aStoppedLogIsIncompleteEvenWithNothingLoggedSinceTheBase() {
        ChangeLog log = new ChangeLog(true);
        log.rebase(log.freeze().position());
        log.stop(); // rows rewritten without logging (a migration)
        assertThat(log.freeze().complete()).isFalse();
        assertThat(log.freeze().complete()).as("the checkpoint after, while the base is still the old one").isFalse();
    }

    @Test
    void aLogNotStartedHoldsNothingUntilACheckpointStartsIt() {
        ChangeLog log = new ChangeLog(false);
        for (int i = 0; i < 1_000; i++) {
            log.append(row("key-" + i), LARGE_STORE);
        }
        ChangeLog.Slice first = log.freeze();
        assertThat(first.complete()).isFalse();
        log.append(row("a"), LARGE_STORE);
        log.rebase(first.position());
        assertThat(keys(log.freeze())).containsExactly("a");
    }

    @Test
    void noLogHoldsMoreThanAMebibyteWhateverTheStore() {
        ChangeLog log = new ChangeLog(true);
        log.rebase(log.freeze().position());
        for (int i = 0; i < 200_000; i++) { // about 2.4 MB of prefixes into a store of 1 GiB
            log.append(row("key-" + i), LARGE_STORE);
        }
        assertThat(log.freeze().complete()).isFalse();
    }

    @Test
    void aStoreRestoredFromTheBaseLogsFromThere() {
        ChangeLog log = new ChangeLog(false);
        log.startAtBase();
        log.append(row("a"), LARGE_STORE);
        assertThat(keys(log.freeze())).containsExactly("a");
    }

    @Test
    void aKeyTooLongToLogStopsTheLog() {
        ChangeLog log = new ChangeLog(true);
        log.rebase(log.freeze().position());
        log.append(row("x".repeat(70_000)), LARGE_STORE);
        assertThat(log.freeze().complete()).isFalse();
    }
}
