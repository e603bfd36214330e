package dev.cairn.core.internal.ledger;

/**
 * Another process wrote the job's ledger since this one last read or wrote it: it runs the job
 * now (a range the group moved while this process stalled, or a second platform on the same
 * storage). This process must record nothing more and commit nothing more for the job.
 */
public final class LedgerTakenOverException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    LedgerTakenOverException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code failure} or one of its causes is a takeover. */
    public static boolean causedBy(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof LedgerTakenOverException) {
                return true;
            }
        }
        return false;
    }
}
