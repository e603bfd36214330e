package dev.cairn.examples.offers;

import dev.cairn.core.internal.crash.FailureInjector;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fails a job once in a task (at a random record), once in the asynchronous part of a random
 * checkpoint, and once between a checkpoint's metadata commit and the sinks' commit.
 */
final class RandomFailures implements FailureInjector {
    private final long recordToFailAt;
    private final long asyncCheckpointToFail;
    private final long commitCheckpointToFail;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong asyncCalls = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicBoolean taskFailed = new AtomicBoolean();
    private final AtomicBoolean asyncFailed = new AtomicBoolean();
    private final AtomicBoolean commitFailed = new AtomicBoolean();

    RandomFailures(long seed, long expectedRecords) {
        SplittableRandom random = new SplittableRandom(seed);
        recordToFailAt = random.nextLong(1, Math.max(2, expectedRecords));
        // early enough that even a short run reaches them
        asyncCheckpointToFail = random.nextLong(1, 9);
        commitCheckpointToFail = random.nextLong(1, 4);
    }

    int failuresInjected() {
        return (taskFailed.get() ? 1 : 0) + (asyncFailed.get() ? 1 : 0) + (commitFailed.get() ? 1 : 0);
    }

    @Override
    public void check(Point point, String uid, int subtask, long checkpointId) {
        switch (point) {
            case PROCESS_RECORD -> {
                if (records.incrementAndGet() == recordToFailAt && taskFailed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure in " + uid + "/" + subtask + " at record " + recordToFailAt);
                }
            }
            case ASYNC_SNAPSHOT -> {
                if (asyncCalls.incrementAndGet() == asyncCheckpointToFail && asyncFailed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure in the async part of checkpoint " + checkpointId);
                }
            }
            case AFTER_LEDGER_UPDATE -> {
                if (commits.incrementAndGet() == commitCheckpointToFail && commitFailed.compareAndSet(false, true)) {
                    throw new IllegalStateException("injected failure after committing checkpoint " + checkpointId);
                }
            }
        }
    }
}
