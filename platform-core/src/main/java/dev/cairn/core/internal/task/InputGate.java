package dev.cairn.core.internal.task;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The input of one subtask: a bounded queue shared by all its input channels (so producers block
 * when the subtask falls behind) and barrier alignment. When a barrier arrives on one channel,
 * that channel's later elements are held back until the same barrier has arrived on every other
 * live channel; then the subtask sees the barrier once and the held elements follow.
 *
 * <p>With unaligned checkpoints, a barrier is also announced ahead of the queue. Once its
 * alignment deadline has passed (at once, without an aligned timeout) the subtask snapshots on
 * the announcement, and an {@link InFlightCapture} keeps every record queued before the barrier on
 * each channel: those already queued at once, later ones as they arrive, until the channel's own
 * barrier arrives. Producers then wait for room before their next record (see {@link #hasRoom}),
 * inside a record only past a burst limit, and never before a control element, so a barrier
 * reaches the queue while it is full.
 */
final class InputGate {

    private final BlockingQueue<StreamElement> queue;
    private final int capacity;
    private final int channels;
    private final boolean[] blocked;
    private final boolean[] ended;
    private final long[] watermarks;
    private final ArrayDeque<StreamElement>[] held;
    private final ArrayDeque<StreamElement> replay = new ArrayDeque<>();
    private CheckpointBarrier aligning;
    private long alignmentStartedNanos;
    private long lastAlignmentNanos;
    private int endedCount;
    private long emittedWatermark = Long.MIN_VALUE;
    // an ended channel can advance the watermark in the same step that completes an alignment
    private boolean watermarkPending;

    // ---- unaligned checkpoints; codec is null for a gate of aligned checkpoints only
    private final InFlightRecords codec;
    private final int[] inputOfChannel;
    private final LongSupplier clock;
    private final ConcurrentLinkedQueue<CheckpointBarrier> announcements = new ConcurrentLinkedQueue<>();
    /** Announced checkpoints this subtask has not snapshotted yet, by id. */
    private final TreeMap<Long, CheckpointBarrier> announced = new TreeMap<>();
    /** Checkpoints this subtask snapshotted unaligned: their barriers in the queue only close captures. */
    private final TreeSet<Long> unalignedIds = new TreeSet<>();
    /** The newest checkpoint this subtask snapshotted, aligned or not: every input channel announces it again. */
    private long lastSnapshotted = Long.MIN_VALUE;
    private final Map<Long, InFlightCapture> started = new HashMap<>();
    /** Captures still waiting for a channel's barrier; guarded by itself, as is every enqueue. */
    private final Map<Long, InFlightCapture> capturing = new HashMap<>();
    private final ArrayDeque<Replayed> restored = new ArrayDeque<>();
    private final Object room = new Object();
    private volatile int waitingForRoom;

    /** A record restored from a checkpoint's records in flight, with the job graph input it came in on. */
    record Replayed(StreamElement.Record record, int input) {
    }

    /** A gate of aligned checkpoints only. */
    InputGate(int channels, int capacity) {
        this(channels, capacity, null, new int[channels], () -> 0);
    }

    /**
     * @param codec          how records in flight are kept; {@code null} for aligned checkpoints only
     * @param inputOfChannel the job graph input each channel belongs to
     * @param clock          the job's clock, which barriers' alignment deadlines are on
     */
    @SuppressWarnings("unchecked")
    InputGate(int channels, int capacity, InFlightRecords codec, int[] inputOfChannel, LongSupplier clock) {
        this.queue = codec == null ? new ArrayBlockingQueue<>(capacity) : new LinkedBlockingQueue<>();
        this.capacity = capacity;
        this.codec = codec;
        this.inputOfChannel = inputOfChannel;
        this.clock = clock;
        this.channels = channels;
        this.blocked = new boolean[channels];
        this.ended = new boolean[channels];
        this.watermarks = new long[channels];
        Arrays.fill(watermarks, Long.MIN_VALUE);
        this.held = new ArrayDeque[channels];
        for (int i = 0; i < channels; i++) {
            held[i] = new ArrayDeque<>();
        }
    }

    /** How long a subtask out of input waits for a full batch before it takes the producers' partial ones. */
    private static final long PATIENCE_MICROS = 1_000;

    private final List<ChannelBuffer> producers = new CopyOnWriteArrayList<>();
    /** The batch whose records the subtask is being handed, one by one. */
    private StreamElement.Batch batch;
    private int next;

    /**
     * How far past its capacity a queue of unaligned checkpoints may grow while a producer is inside
     * a record: such producers wait for room before their next record (where a checkpoint can still
     * reach them), and only a burst (many timers firing at once) meets this limit.
     */
    private static final int BURST_LIMIT = 4;

    /** Called by producers; blocks while the queue is full (with unaligned checkpoints: past its burst limit). */
    void put(StreamElement element) throws InterruptedException {
        if (codec == null) {
            queue.put(element);
            return;
        }
        awaitRoom(BURST_LIMIT * capacity);
        enqueue(element);
    }

    /**
     * Called by producers for a control element and the records a channel buffered ahead of it:
     * with unaligned checkpoints it never waits for room, so a barrier is not held up by a full queue.
     */
    void putAhead(StreamElement element) throws InterruptedException {
        if (codec == null) {
            queue.put(element);
        } else {
            enqueue(element);
        }
    }

    /** Called by a consumer handing over a producer's partial batch: never blocks. */
    boolean offer(StreamElement element) {
        if (codec == null) {
            return queue.offer(element);
        }
        if (queue.size() >= capacity) {
            return false;
        }
        enqueue(element);
        return true;
    }

    /** Announces {@code barrier} ahead of the queue; a gate of aligned checkpoints ignores it. */
    void announce(CheckpointBarrier barrier) {
        if (codec != null) {
            announcements.add(barrier);
        }
    }

    /** Records a restore replays before anything else. */
    void restore(List<Replayed> records) {
        restored.addAll(records);
    }

    /** The capture of checkpoint {@code id} when this subtask snapshotted it unaligned, else {@code null}. */
    InFlightCapture takeCapture(long id) {
        return started.remove(id);
    }

    /** Whether a producer can put a batch without waiting. */
    boolean hasRoom() {
        return codec == null ? queue.remainingCapacity() > 0 : queue.size() < capacity;
    }

    /** Waits until there is room or {@code millis} passed: a producer that must go on handling its own input meanwhile. */
    void awaitRoom(long millis) throws InterruptedException {
        synchronized (room) {
            waitingForRoom++;
            try {
                if (!hasRoom()) {
                    room.wait(millis);
                }
            } finally {
                waitingForRoom--;
            }
        }
    }

    /**
     * An announced checkpoint this subtask is to snapshot unaligned now, else {@code null}: what a
     * subtask waiting for room downstream still reacts to.
     */
    StreamElement unalignedBarrierDue() {
        return codec == null ? null : unalignedBarrier();
    }

    private void awaitRoom(int limit) throws InterruptedException {
        if (queue.size() < limit) {
            return;
        }
        synchronized (room) {
            waitingForRoom++;
            try {
                while (queue.size() >= limit) {
                    room.wait();
                }
            } finally {
                waitingForRoom--;
            }
        }
    }

    private void enqueue(StreamElement element) {
        synchronized (capturing) {
            if (!capturing.isEmpty()) {
                for (InFlightCapture c : List.copyOf(capturing.values())) {
                    c.found(element);
                    if (c.isComplete()) {
                        capturing.remove(c.checkpointId());
                    }
                }
            }
            queue.add(element);
        }
    }

    private StreamElement poll() {
        StreamElement e = queue.poll();
        if (e != null && waitingForRoom > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
        return e;
    }

    private StreamElement poll(long timeout, TimeUnit unit) throws InterruptedException {
        StreamElement e = queue.poll(timeout, unit);
        if (e != null && waitingForRoom > 0) {
            synchronized (room) {
                room.notifyAll();
            }
        }
        return e;
    }

    void addProducer(ChannelBuffer producer) {
        producers.add(producer);
    }

    /** Whether records of the current batch are still to come: checks done once per batch can wait. */
    boolean inBatch() {
        return batch != null && next < batch.size();
    }

    /**
     * The next element for the subtask: a record, a watermark (the minimum over channels, when it
     * advances), an aligned barrier, or end of input once every channel ended; {@code null} if none
     * arrived within the timeout.
     */
    StreamElement next(long timeoutMillis) throws InterruptedException {
        if (watermarkPending) {
            watermarkPending = false;
            StreamElement w = advancedWatermark();
            if (w != null) {
                return w;
            }
        }
        if (codec != null) {
            StreamElement b = unalignedBarrier();
            if (b != null) {
                return b;
            }
        }
        if (!restored.isEmpty()) {
            return restored.poll().record();
        }
        while (true) {
            if (batch != null) {
                if (next < batch.size()) {
                    StreamElement.Record r = batch.records()[next];
                    batch.records()[next++] = null;
                    return r;
                }
                batch = null;
            }
            StreamElement e = replay.poll();
            if (e == null) {
                e = poll();
            }
            if (e == null) {
                // out of input: a fast producer fills its batch within the patience; a slow one's records are
                // taken as they are (taking them at once would hand records over one at a time again)
                e = poll(PATIENCE_MICROS, TimeUnit.MICROSECONDS);
            }
            if (e == null) {
                producers.forEach(ChannelBuffer::handOverPartial);
                e = poll(timeoutMillis, TimeUnit.MILLISECONDS);
                if (e == null) {
                    return null;
                }
            }
            StreamElement out = handle(e);
            if (out != null) {
                return out;
            }
        }
    }

    private StreamElement handle(StreamElement e) {
        int c = e.channel();
        if (blocked[c]) {
            held[c].add(e);
            return null;
        }
        if (e instanceof StreamElement.Batch b) {
            batch = b;
            next = 0;
            return null;
        }
        if (e instanceof StreamElement.Record) {
            return e;
        }
        if (e instanceof StreamElement.Watermark w) {
            watermarks[c] = Math.max(watermarks[c], w.time());
            return advancedWatermark();
        }
        if (e instanceof StreamElement.Barrier b) {
            if (unalignedIds.contains(b.barrier().checkpointId())) {
                return null; // snapshotted unaligned: its capture saw this barrier arrive
            }
            if (aligning == null) {
                aligning = b.barrier();
                alignmentStartedNanos = System.nanoTime();
            } else if (aligning.checkpointId() != b.barrier().checkpointId()) {
                throw new IllegalStateException("Barrier of checkpoint " + b.barrier().checkpointId()
                        + " arrived while aligning checkpoint " + aligning.checkpointId());
            }
            blocked[c] = true;
            return alignmentDone();
        }
        ended[c] = true;
        endedCount++;
        watermarks[c] = Long.MAX_VALUE;
        if (aligning != null) {
            StreamElement done = alignmentDone();
            if (done != null) {
                watermarkPending = true;
                return done;
            }
        }
        if (endedCount == channels) {
            return new StreamElement.EndOfInput(-1);
        }
        return advancedWatermark();
    }

    private StreamElement alignmentDone() {
        for (int i = 0; i < channels; i++) {
            if (!ended[i] && !blocked[i]) {
                return null;
            }
        }
        StreamElement aligned = new StreamElement.Barrier(-1, aligning);
        announced.remove(aligning.checkpointId());
        lastSnapshotted = Math.max(lastSnapshotted, aligning.checkpointId());
        endAlignment();
        return aligned;
    }

    private void endAlignment() {
        aligning = null;
        lastAlignmentNanos = System.nanoTime() - alignmentStartedNanos;
        for (int i = 0; i < channels; i++) {
            blocked[i] = false;
            replay.addAll(held[i]);
            held[i].clear();
        }
    }

    /**
     * The oldest announced checkpoint once its alignment deadline has passed, snapshotted unaligned:
     * its capture starts with everything queued before its barriers, in each channel's order (the
     * current batch, released elements, held elements, the queue); {@code null} if none is due.
     */
    private StreamElement unalignedBarrier() {
        CheckpointBarrier a;
        while ((a = announcements.poll()) != null) {
            if (a.checkpointId() > lastSnapshotted) {
                announced.put(a.checkpointId(), a);
            }
        }
        if (announced.isEmpty() || clock.getAsLong() < announced.firstEntry().getValue().alignmentDeadline()) {
            return null;
        }
        CheckpointBarrier barrier = announced.pollFirstEntry().getValue();
        long id = barrier.checkpointId();
        lastSnapshotted = id;
        boolean aligningThis = aligning != null && aligning.checkpointId() == id;
        boolean[] done = new boolean[channels];
        for (int c = 0; c < channels; c++) {
            done[c] = ended[c] || aligningThis && blocked[c];
        }
        InFlightCapture capture = new InFlightCapture(id, done, inputOfChannel, codec);
        synchronized (capturing) {
            for (Replayed r : restored) {
                capture.keepFromInput(r.record(), r.input());
            }
            if (batch != null) {
                for (int i = next; i < batch.size(); i++) {
                    capture.keep(batch.records()[i], batch.channel());
                }
            }
            replay.forEach(capture::found);
            for (ArrayDeque<StreamElement> h : held) {
                h.forEach(capture::found);
            }
            queue.forEach(capture::found);
            if (!capture.isComplete()) {
                capturing.put(id, capture);
            }
        }
        unalignedIds.add(id);
        unalignedIds.headSet(id - 1024).clear(); // long closed: a subtask never has that many checkpoints in flight
        started.put(id, capture);
        if (aligningThis) {
            endAlignment();
        }
        return new StreamElement.Barrier(-1, barrier);
    }

    /**
     * How long the last alignment held channels back: from the first barrier to the last, the
     * time a backpressured channel delays the checkpoint (Flink's "alignment duration").
     */
    long lastAlignmentNanos() {
        return lastAlignmentNanos;
    }

    private StreamElement advancedWatermark() {
        long min = Long.MAX_VALUE;
        for (long w : watermarks) {
            min = Math.min(min, w);
        }
        if (min > emittedWatermark && min != Long.MAX_VALUE) {
            emittedWatermark = min;
            return new StreamElement.Watermark(-1, min);
        }
        return null;
    }
}
