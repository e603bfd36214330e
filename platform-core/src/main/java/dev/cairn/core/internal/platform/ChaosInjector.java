package dev.cairn.core.internal.platform;

import dev.cairn.core.internal.crash.FailureInjector;
import java.util.concurrent.atomic.AtomicBoolean;

/** Fails one subtask at its next record when armed: {@code cairn:fail}, for rehearsing recovery. */
final class ChaosInjector implements FailureInjector {

    /** The failure {@code cairn:fail} causes. */
    static final class InjectedFailure extends Exception {
        InjectedFailure(String message) {
            super(message);
        }
    }

    private final AtomicBoolean armed = new AtomicBoolean();

    void arm() {
        armed.set(true);
    }

    @Override
    public void check(Point point, String operatorUid, int subtask, long checkpointId) throws Exception {
        if (point == Point.PROCESS_RECORD && armed.compareAndSet(true, false)) {
            throw new InjectedFailure("failure injected by cairn:fail into subtask " + subtask + " of '" + operatorUid + "'");
        }
    }
}
