package dev.cairn.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cairn.core.internal.catalog.CompletedSnapshot;
import dev.cairn.core.internal.catalog.SnapshotCatalog;
import dev.cairn.core.internal.catalog.SnapshotKind;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.storage.LocalFileStorage;
import dev.cairn.spi.storage.SnapshotStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotLedgerTest {

    @TempDir
    Path root;
    LocalFileStorage storage;
    SnapshotCatalog catalog;

    @BeforeEach
    void setUp() throws Exception {
        storage = new LocalFileStorage(root);
        catalog = new SnapshotCatalog(storage, "job");
    }

    CompletedSnapshot commit(long id, SnapshotKind kind) throws Exception {
        String dir = kind == SnapshotKind.CHECKPOINT ? catalog.checkpointDirectory(id) : catalog.savepointDirectory("sp-" + id);
        return catalog.commit(dir, new SnapshotMetadata(SnapshotMetadata.CURRENT_FORMAT_VERSION, id, kind, null, "full", "heap", "job",
                id, 128, Map.of(), List.of(), Map.of()));
    }

    @Test
    void recordsSurviveReopeningAndRetentionDropsOnlyThePlatformsOwnSnapshots() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        assertThat(ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2)).isEmpty();
        assertThat(ledger.record(commit(2, SnapshotKind.SAVEPOINT), Ownership.USER, 2)).isEmpty();
        assertThat(ledger.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2)).isEmpty();
        List<SnapshotLedger.Dropped> dropped = ledger.record(commit(4, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        assertThat(dropped).extracting(SnapshotLedger.Dropped::directory).containsExactly("job/chk-1");

        SnapshotLedger reopened = SnapshotLedger.open(catalog);
        assertThat(reopened.entries()).extracting(LedgerEntry::directory).containsExactly("job/savepoints/sp-2", "job/chk-3", "job/chk-4");
        assertThat(reopened.recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-4");
        assertThat(storage.list("job/ledger/")).as("old versions pruned").hasSize(3);
    }

    @Test
    void aSnapshotCompletingAfterANewerOneIsListedButDoesNotBecomeTheRecoveryPoint() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        ledger.record(commit(5, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        ledger.record(commit(4, SnapshotKind.SAVEPOINT), Ownership.USER, 3);
        assertThat(ledger.recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-5");
        assertThat(ledger.entries()).extracting(LedgerEntry::id).containsExactly(4L, 5L);
    }

    @Test
    void aDamagedRecoveryPointFallsBackToTheNewestOlderSnapshotOrToNothing() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        ledger.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        assertThat(ledger.markDamaged("job/chk-2")).map(LedgerEntry::directory).contains("job/chk-1");
        assertThat(ledger.markDamaged("job/chk-1")).isEmpty();
        SnapshotLedger reopened = SnapshotLedger.open(catalog);
        assertThat(reopened.recoveryPoint()).isEmpty();
        assertThat(reopened.entries()).allMatch(LedgerEntry::damaged).hasSize(2);
    }

    @Test
    void aSecondWriterIsRefusedInsteadOfOverwriting() throws Exception {
        SnapshotLedger first = SnapshotLedger.open(catalog);
        SnapshotLedger second = SnapshotLedger.open(catalog);
        first.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 1);
        assertThatThrownBy(() -> second.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 1))
                .hasMessageContaining("updated by another process");
        assertThat(SnapshotLedger.open(catalog).recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-1");
    }

    @Test
    void aWriterWhoseLedgerWasClaimedFailsAtItsNextUpdateEvenOnAVersionTheClaimerPruned() throws Exception {
        SnapshotLedger stalled = SnapshotLedger.open(catalog);
        stalled.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        SnapshotLedger next = SnapshotLedger.open(catalog);
        next.claim(true);
        for (long id = 2; id <= 6; id++) {
            next.record(commit(id, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        }
        assertThat(storage.exists("job/ledger/00000000000000000002.json")).as("the version the stalled writer writes next was pruned").isFalse();
        assertThatThrownBy(() -> stalled.record(commit(7, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2))
                .isInstanceOf(LedgerTakenOverException.class).hasMessageContaining("taken over by another process")
                .hasMessageContaining("00000000000000000007.json");
        assertThat(SnapshotLedger.open(catalog).recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-6");
        assertThat(stalled.recoveryPoint()).as("what the stalled writer could not record").map(LedgerEntry::directory).contains("job/chk-1");
    }

    @Test
    void aStartingRunClaimsPastWhatAnotherProcessWroteWhileARestartIsRefused() throws Exception {
        SnapshotLedger starting = SnapshotLedger.open(catalog);
        SnapshotLedger other = SnapshotLedger.open(catalog);
        other.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        assertThatThrownBy(() -> starting.claim(false)).isInstanceOf(LedgerTakenOverException.class);
        starting.claim(true);
        assertThat(starting.recoveryPoint()).as("read again before the claim").map(LedgerEntry::directory).contains("job/chk-1");
        assertThat(starting.highestId()).isEqualTo(1);
        assertThatThrownBy(() -> other.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2))
                .isInstanceOf(LedgerTakenOverException.class);
        starting.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        assertThat(SnapshotLedger.open(catalog).entries()).extracting(LedgerEntry::directory).containsExactly("job/chk-1", "job/chk-3");
    }

    @Test
    void twoRunsClaimingFromTheSameVersionCannotBothHaveIt() throws Exception {
        SnapshotLedger.open(catalog).record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        SnapshotLedger restarting = SnapshotLedger.open(catalog);
        SnapshotLedger starting = SnapshotLedger.open(catalog);
        starting.claim(false);
        // the same recovery point and entries at the same sequence: still another run's version, not a lost answer of this one
        assertThatThrownBy(() -> restarting.claim(false)).isInstanceOf(LedgerTakenOverException.class);
    }

    @Test
    void aSnapshotRecordedJustBeforeAnotherProcessClaimedStandsAndItsWriterWritesNoMore() throws Exception {
        SnapshotLedger.open(catalog).record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        // another process reads the version that records chk-2 and claims the ledger before its writer looks for newer versions
        SnapshotLedger stalled = SnapshotLedger.open(losingAnswers("job/ledger/00000000000000000002.json", (path, bytes) -> {
            SnapshotLedger next = SnapshotLedger.open(catalog);
            next.claim(true);
            assertThat(next.recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-2");
        }));
        stalled.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        assertThatThrownBy(() -> stalled.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2))
                .isInstanceOf(LedgerTakenOverException.class);
        assertThat(stalled.stillOurs()).isFalse();
        assertThat(SnapshotLedger.open(catalog).recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-2");
    }

    @Test
    void aDamagedNewestVersionIsReportedAndThePreviousOneUsed() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        ledger.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        Path newest = root.resolve("job/ledger/00000000000000000002.json");
        Files.delete(newest);
        Files.writeString(newest, "{ broken");
        SnapshotLedger reopened = SnapshotLedger.open(catalog);
        assertThat(reopened.recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-1");
        assertThat(reopened.problems()).singleElement().asString().contains("00000000000000000002.json");
        reopened.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        assertThat(storage.exists("job/ledger/00000000000000000003.json")).as("numbering goes on past the damaged version").isTrue();
    }

    @Test
    void theRecoveryPointCannotBeRemovedAndRetiringStartsAfresh() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        ledger.record(commit(1, SnapshotKind.SAVEPOINT), Ownership.USER, 1);
        assertThatThrownBy(() -> ledger.remove("job/savepoints/sp-1")).hasMessageContaining("recovers from job/savepoints/sp-1");
        ledger.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 1);
        ledger.retire();
        SnapshotLedger reopened = SnapshotLedger.open(catalog);
        assertThat(reopened.recoveryPoint()).isEmpty();
        assertThat(reopened.entries()).allMatch(e -> e.ownership() == Ownership.USER).hasSize(2);
        reopened.remove("job/savepoints/sp-1");
        assertThat(SnapshotLedger.open(catalog).entries()).extracting(LedgerEntry::directory).containsExactly("job/chk-2");
    }

    @Test
    void theSweepKeepsListedSnapshotsAndDeletesEverythingElseIncludingTemporaryFiles() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(catalog);
        ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 1);
        commit(2, SnapshotKind.SAVEPOINT); // committed, but the ledger never heard of it (a crash in between)
        for (String orphan : List.of("job/chk-3/op/0/state.bin", "job/shared/op/0/x.sst", "job/chk-1/.inprogress-abc-state.bin")) {
            Files.createDirectories(root.resolve(orphan).getParent());
            Files.write(root.resolve(orphan), new byte[16]);
        }
        int deleted = catalog.sweep(ledger.directories(), ledger.referencedFiles(), p -> false, true);
        assertThat(deleted).isEqualTo(4);
        assertThat(storage.list("job/")).filteredOn(p -> !p.startsWith("job/ledger/")).containsExactly("job/chk-1/_metadata");
        assertThat(root.resolve("job/chk-1/.inprogress-abc-state.bin")).doesNotExist();
    }

    /** The storage, but a ledger write of {@code lost} is stored and then answered as {@code answer} does. */
    interface Answer {
        void after(String path, byte[] bytes) throws java.io.IOException;
    }

    private SnapshotCatalog losingAnswers(String lost, Answer answer) {
        SnapshotStorage losing = (SnapshotStorage) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SnapshotStorage.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(storage, args);
                        if (method.getName().equals("commitMetadata") && args[0].equals(lost)) {
                            answer.after((String) args[0], (byte[]) args[1]);
                        }
                        return result;
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new SnapshotCatalog(losing, "job");
    }

    @Test
    void aLedgerWriteWhoseAnswerWasLostIsSupersededByTheNextUpdate() throws Exception {
        SnapshotLedger setup = SnapshotLedger.open(catalog);
        setup.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        SnapshotLedger ledger = SnapshotLedger.open(losingAnswers("job/ledger/00000000000000000002.json", (path, bytes) -> {
            throw new java.io.IOException("connection reset after the upload");
        }));
        assertThatThrownBy(() -> ledger.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3)).hasMessageContaining("connection reset");
        ledger.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);

        SnapshotLedger reopened = SnapshotLedger.open(catalog);
        assertThat(reopened.entries()).extracting(LedgerEntry::directory).as("the failed checkpoint is not listed").containsExactly("job/chk-1", "job/chk-3");
        assertThat(reopened.recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-3");
    }

    @Test
    void aSnapshotIsNotTakenForRestoredElsewhereWhenTheVersionAfterItCannotBeRead() throws Exception {
        SnapshotLedger.open(catalog).record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2);
        SnapshotLedger stalled = SnapshotLedger.open(losingAnswers("job/ledger/00000000000000000002.json", (path, bytes) ->
                Files.writeString(root.resolve("job/ledger/00000000000000000003.json"), "{ broken")));
        // what the other process restores cannot be told (its own version is the newest readable one): not committed here
        assertThatThrownBy(() -> stalled.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 2))
                .isInstanceOf(LedgerTakenOverException.class);
    }

    @Test
    void aWriteWhoseLookForNewerVersionsFailedIsNotTakenForAnotherWritersAtTheNextUpdate() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failList = new java.util.concurrent.atomic.AtomicBoolean();
        SnapshotStorage flaky = (SnapshotStorage) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {SnapshotStorage.class}, (proxy, method, args) -> {
                    if (method.getName().equals("list") && failList.getAndSet(false)) {
                        throw new java.io.IOException("listing timed out");
                    }
                    try {
                        return method.invoke(storage, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SnapshotLedger ledger = SnapshotLedger.open(new SnapshotCatalog(flaky, "job"));
        ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        failList.set(true);
        assertThatThrownBy(() -> ledger.record(commit(2, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3)).hasMessageContaining("listing timed out");
        ledger.record(commit(3, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        assertThat(SnapshotLedger.open(catalog).recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-3");
    }

    @Test
    void aRetriedLedgerWriteThatFindsItsOwnEarlierAttemptSucceeds() throws Exception {
        SnapshotLedger ledger = SnapshotLedger.open(losingAnswers("job/ledger/00000000000000000001.json", (path, bytes) -> {
            storage.commitMetadata(path, bytes); // the client's retry after the first answer was lost
        }));
        ledger.record(commit(1, SnapshotKind.CHECKPOINT), Ownership.PLATFORM, 3);
        assertThat(SnapshotLedger.open(catalog).recoveryPoint()).map(LedgerEntry::directory).contains("job/chk-1");
    }
}
