package dev.cairn.backend.offheap;

import java.util.Arrays;

/**
 * The key-and-namespace prefixes of the rows one store changed, in order: an incremental
 * checkpoint writes the keys logged since the checkpoint it builds on, read from its capture.
 * Positions count every byte ever logged, so they stay valid when the log drops what no
 * checkpoint can build on any more. A log that grows past half the store's bytes (or 1 MiB) stops
 * (the store's key group is then cheaper to write whole) and starts again at the next checkpoint.
 * A log starts when incremental checkpoints do, so a job that takes none keeps none.
 * Used by the task thread; a checkpoint's {@link Slice} is read from the I/O pool.
 */
final class ChangeLog {
    /** Stores smaller than this many bytes may log this much before the log stops. */
    private static final int MIN_LIMIT = 4096;
    /** No store's log holds more: a checkpoint that writes a key group whole is cheaper than a long log on the heap. */
    private static final int MAX_LIMIT = 1 << 20;
    /** Each prefix is logged after its length in two bytes; a longer key stops the log. */
    private static final int HEADER = 2;
    private static final int MAX_PREFIX = 0xFFFF;

    private byte[] bytes = new byte[0];
    /** Position of {@code bytes[0]}. */
    private long start;
    /** Position after the last logged byte. */
    private long end;
    /** From this position on the log holds every change (while logging). */
    private long complete;
    /** Position of the checkpoint the next incremental one builds on. */
    private long base;
    private boolean logging;
    private int lastStart = -1;

    /** A log that logs from now on (a new store's, once the backend takes incremental checkpoints), or not until the next checkpoint. */
    ChangeLog(boolean logging) {
        this.logging = logging;
    }

    /**
     * Logs from now on, with now as the base: for a store whose rows are all in the checkpoint
     * the next one builds on (restored from it).
     */
    void startAtBase() {
        logging = true;
        complete = end;
        base = end;
    }

    /** Logs the prefix of {@code row}, a row of a store now holding {@code storeBytes} bytes. */
    void append(byte[] row, long storeBytes) {
        if (!logging) {
            return;
        }
        int prefix = Rows.parse(row).prefixLength();
        int at = (int) (end - start);
        if (lastStart >= 0 && at - lastStart - HEADER == prefix && Arrays.equals(bytes, lastStart + HEADER, at, row, 0, prefix)) {
            return; // a map's entry and its user-key row, or one key changed twice in a row
        }
        if (prefix > MAX_PREFIX || end - start + prefix + HEADER > Math.min(MAX_LIMIT, Math.max(MIN_LIMIT, storeBytes / 2))) {
            stop();
            return;
        }
        if (at + prefix + HEADER > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(64, (at + prefix + HEADER) * 2)); // a slice handed out keeps the old array
        }
        bytes[at] = (byte) (prefix >>> 8);
        bytes[at + 1] = (byte) prefix;
        System.arraycopy(row, 0, bytes, at + HEADER, prefix);
        lastStart = at;
        end += prefix + HEADER;
    }

    /** Forgets the changes: the next checkpoint writes the store's key group whole (its rows were rewritten, or restored from elsewhere). */
    void stop() {
        logging = false;
        bytes = new byte[0];
        start = end;
        lastStart = -1;
    }

    /**
     * What a checkpoint taken now builds on: the prefixes logged since the base, or
     * {@code null} when the log does not hold all of them. Logging starts again here if it stopped.
     */
    Slice freeze() {
        Slice slice = logging && complete <= base ? new Slice(bytes, (int) (base - start), (int) (end - start), end) : null;
        lastStart = -1; // a change from now on is logged even if the key is the last one logged: it is after this checkpoint
        if (!logging) {
            // a position no earlier checkpoint has: the log is complete only for checkpoints from here on
            end++;
            start = end;
            complete = end;
            logging = true;
        }
        return slice == null ? new Slice(null, 0, 0, end) : slice;
    }

    /** The checkpoint taken at {@code position} completed: later ones build on it; what came before goes. */
    void rebase(long position) {
        base = position;
        if (position > start && position <= end) {
            bytes = Arrays.copyOfRange(bytes, (int) (position - start), Math.max((int) (end - start), (int) (position - start) + 64));
            lastStart = -1;
            start = position;
        }
    }

    /**
     * The prefixes {@code bytes[from, to)} of a checkpoint taken at {@code position};
     * {@code bytes == null} when the log could not say what changed since the base.
     */
    record Slice(byte[] bytes, int from, int to, long position) {
        boolean complete() {
            return bytes != null;
        }

        boolean empty() {
            return from == to;
        }

        /** Hands every logged prefix to {@code prefixes}, duplicates included. */
        void forEach(java.util.function.Consumer<byte[]> prefixes) {
            for (int at = from; at < to; ) {
                int length = (bytes[at] & 0xFF) << 8 | bytes[at + 1] & 0xFF;
                prefixes.accept(Arrays.copyOfRange(bytes, at + HEADER, at + HEADER + length));
                at += length + HEADER;
            }
        }
    }
}
