package dev.cairn.core.internal.crash;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named places in the platform where a crash hurts exactly-once the most. Started with
 * {@code -Dcairn.crash-at=<point>[@<n>]}, the platform kills itself with {@code kill -9} the n-th
 * time it reaches that point: no shutdown hook, no flush, no cleanup, and no process exit either
 * (a halting JVM still runs the native libraries' exit code, where RocksDB's open databases can
 * abort the process). Without {@code kill} it halts with {@link #EXIT_CODE}. Without the property
 * every point is a no-op. The crash-point matrix restarts the platform afterwards and compares the
 * job's output with the expected one.
 */
public enum CrashPoint {
    TASK_BEFORE_SNAPSHOT,
    SINK_BEFORE_PRECOMMIT,
    SINK_AFTER_PRECOMMIT,
    SNAPSHOT_BEFORE_UPLOAD,
    SNAPSHOT_AFTER_UPLOAD,
    CHECKPOINT_AFTER_FIRST_ACK,
    CHECKPOINT_BEFORE_METADATA_COMMIT,
    CHECKPOINT_AFTER_METADATA_COMMIT,
    SAVEPOINT_BEFORE_METADATA_COMMIT,
    SAVEPOINT_AFTER_METADATA_COMMIT,
    LEDGER_BEFORE_WRITE,
    LEDGER_AFTER_WRITE,
    LEDGER_AFTER_PRUNE,
    SINK_BEFORE_COMMIT,
    SINK_AFTER_COMMIT,
    RETENTION_BEFORE_DELETE,
    RETENTION_AFTER_METADATA_DELETE,
    RETENTION_AFTER_DELETE,
    STOP_AFTER_SAVEPOINT,
    STOP_AFTER_JOB_ENDED,
    HANDOVER_BEFORE_SAVEPOINT,
    HANDOVER_BEFORE_RESTART,
    HANDOVER_AFTER_RESTART,
    RECOVERY_BEFORE_RESTORE,
    RECOVERY_AFTER_RESTORE,
    SINK_BEFORE_ABORT_LINGERING,
    SWEEP_BEFORE_DELETE,
    SWEEP_AFTER_DELETE,
    RESUME_AFTER_LEDGER_UPDATE;

    public static final String PROPERTY = "cairn.crash-at";
    public static final int EXIT_CODE = 86;

    private static final CrashPoint ARMED;
    private static final int NTH;
    private static final AtomicInteger REACHED = new AtomicInteger();

    static {
        String spec = System.getProperty(PROPERTY, "").trim();
        CrashPoint armed = null;
        int nth = 1;
        if (!spec.isEmpty()) {
            int at = spec.indexOf('@');
            String name = at < 0 ? spec : spec.substring(0, at);
            armed = Arrays.stream(values()).filter(p -> p.id().equals(name)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException(PROPERTY + "=" + spec + " is not allowed: use <point>[@<n>] with a point of "
                            + Arrays.stream(values()).map(CrashPoint::id).toList()));
            nth = at < 0 ? 1 : Integer.parseInt(spec.substring(at + 1));
        }
        ARMED = armed;
        NTH = nth;
    }

    /** The name used on the command line: {@code ledger.after-write} for {@code LEDGER_AFTER_WRITE}. */
    public String id() {
        String n = name().toLowerCase(Locale.ROOT);
        int first = n.indexOf('_');
        return n.substring(0, first) + "." + n.substring(first + 1).replace('_', '-');
    }

    /** Halts the JVM if this is the armed point, reached for the n-th time. */
    public void reach() {
        if (this == ARMED && REACHED.incrementAndGet() == NTH) {
            // straight to the process's stderr: the console redirects System.err of the threads it runs commands on
            try (java.io.FileOutputStream err = new java.io.FileOutputStream(java.io.FileDescriptor.err)) {
                err.write(("cairn: crash point " + id() + "@" + NTH + " reached; killing the process\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                // halting matters more than saying so
            }
            try {
                new ProcessBuilder("kill", "-KILL", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            } catch (java.io.IOException e) {
                // no kill command: halt below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
