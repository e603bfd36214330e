package dev.cairn.core.internal.task;

import java.util.concurrent.locks.ReentrantLock;

/**
 * One producer's records for one channel of a downstream {@link InputGate}, handed over a batch
 * at a time: one synchronisation and at most one wake-up per batch instead of per record. A batch
 * goes when it is full, before any control element (watermark, barrier, end of input) of the
 * channel, and when the consumer runs out of input and takes what is there, so a slow stream is
 * not held back waiting for a batch to fill. Everything a channel carries passes under one lock,
 * which keeps its order.
 */
final class ChannelBuffer {

    static final int CAPACITY = 256;

    private final ReentrantLock lock = new ReentrantLock();
    private final InputGate gate;
    private final int channel;
    private StreamElement.Record[] records = new StreamElement.Record[CAPACITY];
    private int size;

    ChannelBuffer(InputGate gate, int channel) {
        this.gate = gate;
        this.channel = channel;
        gate.addProducer(this);
    }

    int channel() {
        return channel;
    }

    InputGate gate() {
        return gate;
    }

    /** Called by the producer; blocks while the gate is full. */
    void add(Object value, long timestamp, boolean hasTimestamp, Object key) throws InterruptedException {
        lock.lock();
        try {
            records[size++] = new StreamElement.Record(channel, value, timestamp, hasTimestamp, key);
            if (size == CAPACITY) {
                gate.put(takeBatch());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the producer: the buffered records, then {@code control}; an unaligned checkpoint's
     * barrier is then announced ahead of the queue.
     */
    void addControl(StreamElement control) throws InterruptedException {
        lock.lock();
        try {
            if (size > 0) {
                gate.putAhead(takeBatch());
            }
            gate.putAhead(control);
            if (control instanceof StreamElement.Barrier b && b.barrier().unaligned()) {
                gate.announce(b.barrier());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the consumer when it has nothing to do: the buffered records go to the gate now,
     * unless the producer is busy with the buffer (it then hands over soon) or the gate is full.
     */
    void handOverPartial() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (size > 0 && gate.offer(new StreamElement.Batch(channel, records, size))) {
                records = new StreamElement.Record[CAPACITY];
                size = 0;
            }
        } finally {
            lock.unlock();
        }
    }

    private StreamElement.Batch takeBatch() {
        StreamElement.Batch batch = new StreamElement.Batch(channel, records, size);
        records = new StreamElement.Record[CAPACITY];
        size = 0;
        return batch;
    }
}
