package dev.cairn.core.internal.task;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * The records one unaligned checkpoint keeps from one subtask's input: everything queued before
 * the barrier on each channel, from the moment the subtask snapshotted until that channel's
 * barrier arrived (or the channel ended). Records are serialised as they are found, so a function
 * that changes a record it processes does not change what the checkpoint holds.
 */
final class InFlightCapture {

    private final long checkpointId;
    private final boolean[] done;
    private final int[] inputOfChannel;
    private final InFlightRecords codec;
    private final Bytes bytes = new Bytes();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private int open;
    private long count;
    private Consumer<InFlightCapture> listener;
    private boolean complete;
    /** Why a record could not be kept: the checkpoint is then declined, the job goes on. */
    private Throwable failure;

    InFlightCapture(long checkpointId, boolean[] done, int[] inputOfChannel, InFlightRecords codec) {
        this.checkpointId = checkpointId;
        this.done = done;
        this.inputOfChannel = inputOfChannel;
        this.codec = codec;
        for (boolean d : done) {
            open += d ? 0 : 1;
        }
        complete = open == 0;
        try {
            InFlightRecords.writeHeader(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long checkpointId() {
        return checkpointId;
    }

    /**
     * Sees {@code e} queued on its channel (or {@code channel} for a record of a batch): records
     * before the channel's barrier are kept, the barrier or the channel's end closes the channel.
     * The caller holds the gate's lock.
     */
    void found(StreamElement e) {
        int c = e.channel();
        if (done[c]) {
            return;
        }
        if (e instanceof StreamElement.Batch b) {
            for (int i = 0; i < b.size(); i++) {
                keep(b.records()[i], c);
            }
        } else if (e instanceof StreamElement.Record r) {
            keep(r, c);
        } else if (e instanceof StreamElement.Barrier b && b.barrier().checkpointId() >= checkpointId
                || e instanceof StreamElement.EndOfInput) {
            close(c);
        }
    }

    /** A record of {@code channel} not yet handed to the subtask. */
    void keep(StreamElement.Record r, int channel) {
        if (!done[channel]) {
            keepFromInput(r, inputOfChannel[channel]);
        }
    }

    /** A record that came in on job graph input {@code input}: one a restore replays and the subtask has not processed yet. */
    void keepFromInput(StreamElement.Record r, int input) {
        if (failure != null) {
            return;
        }
        try {
            codec.write(r, input, out);
            count++;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // a record Kryo cannot write (or too many to hold): this checkpoint fails, the record still goes to the subtask
            failure = new IllegalStateException("Checkpoint " + checkpointId + " cannot keep a record in flight of "
                    + (r.value() == null ? "null" : r.value().getClass().getName()) + ": " + e, e);
            bytes.reset();
        }
    }

    /** Why the records could not be kept, or {@code null}. */
    Throwable failure() {
        return failure;
    }

    void close(int channel) {
        if (done[channel]) {
            return;
        }
        done[channel] = true;
        if (--open == 0) {
            Consumer<InFlightCapture> l;
            synchronized (this) {
                complete = true;
                l = listener;
            }
            if (l != null) {
                l.accept(this);
            }
        }
    }

    boolean isComplete() {
        return open == 0;
    }

    /** Runs {@code l} once every channel's barrier arrived: at once if they all have. */
    void whenComplete(Consumer<InFlightCapture> l) {
        boolean now;
        synchronized (this) {
            listener = l;
            now = complete;
        }
        if (now) {
            l.accept(this);
        }
    }

    long records() {
        return count;
    }

    /** The serialised records; valid once complete. */
    byte[] buffer() {
        return bytes.buffer();
    }

    int length() {
        return bytes.size();
    }

    /** Exposes its buffer: the file is written from it without a copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        byte[] buffer() {
            return buf;
        }
    }
}
