package dev.cairn.core.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.serialization.KryoSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** The input side of unaligned checkpoints: what a snapshot taken ahead of the queue keeps, and what it leaves. */
class UnalignedInputGateTest {

    private final InFlightRecords codec = new InFlightRecords(new KryoSerializer<>(Object.class, KryoSerializer.newPool(getClass().getClassLoader())));
    private final AtomicLong clock = new AtomicLong();

    private InputGate gate(int channels, int capacity) {
        int[] inputs = new int[channels];
        Arrays.fill(inputs, 0);
        return new InputGate(channels, capacity, codec, inputs, clock::get);
    }

    private static StreamElement.Record record(int channel, Object value) {
        return new StreamElement.Record(channel, value, 0, false);
    }

    /** Checkpoint {@code id}, triggered at 0, unaligned once the clock reaches {@code timeout}. */
    private static CheckpointBarrier unaligned(long id, long timeout) {
        return new CheckpointBarrier(id, false, false, false, "full", true, 0, timeout);
    }

    /** What the producer of {@code channel} does to send a barrier: in the queue, then announced ahead of it. */
    private static void sendBarrier(InputGate gate, int channel, CheckpointBarrier b) throws InterruptedException {
        gate.putAhead(new StreamElement.Barrier(channel, b));
        gate.announce(b);
    }

    private List<Object> kept(InFlightCapture capture) throws Exception {
        assertThat(capture.isComplete()).as("every channel's barrier arrived").isTrue();
        List<Object> values = new ArrayList<>();
        for (InFlightRecords.Restored r : codec.decode(Arrays.copyOf(capture.buffer(), capture.length()), capture.records(), "test")) {
            values.add(r.value());
        }
        return values;
    }

    private static List<Object> drain(InputGate gate) throws InterruptedException {
        List<Object> out = new ArrayList<>();
        StreamElement e;
        while ((e = gate.next(1)) != null) {
            out.add(e instanceof StreamElement.Record r ? r.value() : e.getClass().getSimpleName());
        }
        return out;
    }

    @Test
    void theBarrierOvertakesTheQueueAndTheCheckpointKeepsWhatWasQueuedBeforeItOnEveryChannel() throws Exception {
        InputGate gate = gate(2, 100);
        gate.put(record(0, "a1"));
        gate.put(record(1, "b1"));
        sendBarrier(gate, 0, unaligned(1, 0));
        gate.put(record(0, "a2-after"));

        StreamElement first = gate.next(1);
        assertThat(first).as("the snapshot comes before the queued records").isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture capture = gate.takeCapture(1);
        assertThat(capture.isComplete()).as("channel 1's barrier has not arrived").isFalse();
        gate.put(record(1, "b2")); // sent before channel 1's barrier: in flight, kept as it arrives
        sendBarrier(gate, 1, unaligned(1, 0)); // announced again by channel 1: the subtask snapshots once
        gate.put(record(1, "b3-after"));

        assertThat(kept(capture)).containsExactly("a1", "b1", "b2");
        // the subtask still processes everything, after its snapshot; the barriers in the queue are not seen again
        assertThat(drain(gate)).containsExactly("a1", "b1", "a2-after", "b2", "b3-after");
    }

    @Test
    void anAlignmentStillWaitingAtTheDeadlineTurnsUnalignedKeepingOnlyTheChannelsThatHadNotDeliveredTheBarrier() throws Exception {
        InputGate gate = gate(2, 100);
        gate.put(record(0, "a1"));
        sendBarrier(gate, 0, unaligned(1, 100));
        gate.put(record(0, "a2-after"));
        gate.put(record(1, "b1"));
        assertThat(drain(gate)).as("aligning: channel 0 is held back after its barrier").containsExactly("a1", "b1");

        clock.set(100);
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture capture = gate.takeCapture(1);
        gate.put(record(1, "b2"));
        gate.putAhead(new StreamElement.Barrier(1, unaligned(1, 100)));

        assertThat(kept(capture)).as("b1 was processed before the snapshot, a2 came after channel 0's barrier").containsExactly("b2");
        assertThat(drain(gate)).containsExactly("a2-after", "b2");
    }

    @Test
    void anAlignmentThatCompletesBeforeTheDeadlineStaysAligned() throws Exception {
        InputGate gate = gate(2, 100);
        sendBarrier(gate, 0, unaligned(1, 100));
        gate.put(record(0, "a-after"));
        gate.put(record(1, "b1"));
        sendBarrier(gate, 1, unaligned(1, 100));
        assertThat(drain(gate)).containsExactly("b1", "Barrier", "a-after");
        assertThat(gate.takeCapture(1)).as("no records in flight").isNull();
        clock.set(1_000);
        assertThat(drain(gate)).as("the announcement is not taken again").isEmpty();
    }

    @Test
    void restoredRecordsNotYetProcessedAreInFlightForTheNextCheckpoint() throws Exception {
        InputGate gate = gate(1, 100);
        gate.restore(List.of(new InputGate.Replayed(record(0, "r1"), 0), new InputGate.Replayed(record(0, "r2"), 0)));
        gate.put(record(0, "a1"));
        sendBarrier(gate, 0, unaligned(1, 0));

        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        assertThat(kept(gate.takeCapture(1))).containsExactly("r1", "r2", "a1");
        assertThat(drain(gate)).containsExactly("r1", "r2", "a1");
    }

    @Test
    void aChannelThatEndsBeforeItsBarrierClosesTheCapture() throws Exception {
        InputGate gate = gate(2, 100);
        sendBarrier(gate, 0, unaligned(1, 0));
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture capture = gate.takeCapture(1);
        gate.put(record(1, "b1"));
        assertThat(capture.isComplete()).isFalse();
        gate.putAhead(new StreamElement.EndOfInput(1)); // its producer finished: no barrier will come
        assertThat(kept(capture)).containsExactly("b1");
    }

    @Test
    void twoCheckpointsInFlightAtOnceEachKeepWhatCameBeforeTheirOwnBarrier() throws Exception {
        InputGate gate = gate(2, 100);
        gate.put(record(1, "b1"));
        sendBarrier(gate, 0, unaligned(1, 0));
        sendBarrier(gate, 0, unaligned(2, 0));
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        assertThat(gate.next(1)).as("the second snapshot, in order").isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture first = gate.takeCapture(1);
        InFlightCapture second = gate.takeCapture(2);
        gate.put(record(1, "b2"));
        sendBarrier(gate, 1, unaligned(1, 0));
        gate.put(record(1, "b3"));
        sendBarrier(gate, 1, unaligned(2, 0));
        gate.put(record(1, "b4-after"));
        assertThat(kept(first)).containsExactly("b1", "b2");
        assertThat(kept(second)).containsExactly("b1", "b2", "b3");
        assertThat(drain(gate)).containsExactly("b1", "b2", "b3", "b4-after");
    }

    @Test
    void aPartialBatchTheConsumerTakesOverIsKeptToo() throws Exception {
        InputGate gate = gate(1, 100);
        ChannelBuffer producer = new ChannelBuffer(gate, 0);
        gate.announce(unaligned(1, 0)); // announced ahead of the in-band barrier, which its producer has yet to send
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture capture = gate.takeCapture(1);
        producer.add("x", 0, false, null);
        assertThat(gate.next(1)).as("out of input, the consumer takes the producer's partial batch")
                .isInstanceOf(StreamElement.Record.class);
        producer.addControl(new StreamElement.Barrier(0, unaligned(1, 0)));
        assertThat(kept(capture)).containsExactly("x");
    }

    @Test
    void aRecordKryoCannotWriteFailsTheCheckpointNotTheSubtask() throws Exception {
        InputGate gate = gate(1, 100);
        gate.announce(unaligned(1, 0)); // ahead of the in-band barrier, which comes after the record
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        InFlightCapture capture = gate.takeCapture(1);
        Unwritable unwritable = new Unwritable();
        gate.put(record(0, unwritable));
        gate.putAhead(new StreamElement.Barrier(0, unaligned(1, 0)));
        assertThat(capture.isComplete()).isTrue();
        assertThat(capture.failure()).hasMessageContaining(Unwritable.class.getName()).hasMessageContaining("cannot write this");
        assertThat(drain(gate)).as("the subtask still gets the record").containsExactly(unwritable);
    }

    /** A record type Kryo fails on. */
    @com.esotericsoftware.kryo.DefaultSerializer(UnwritableSerializer.class)
    static final class Unwritable {
    }

    public static final class UnwritableSerializer extends com.esotericsoftware.kryo.Serializer<Unwritable> {
        @Override
        public void write(com.esotericsoftware.kryo.Kryo kryo, com.esotericsoftware.kryo.io.Output output, Unwritable u) {
            throw new com.esotericsoftware.kryo.KryoException("cannot write this");
        }

        @Override
        public Unwritable read(com.esotericsoftware.kryo.Kryo kryo, com.esotericsoftware.kryo.io.Input input, Class<? extends Unwritable> type) {
            throw new com.esotericsoftware.kryo.KryoException("cannot read this");
        }
    }

    @Test
    void aBarrierReachesAFullQueueWithoutWaitingForRoom() throws Exception {
        InputGate gate = gate(1, 1);
        ChannelBuffer producer = new ChannelBuffer(gate, 0);
        // a full queue: a producer with a record to send would wait; its barrier and the records ahead of it go in
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            gate.put(new StreamElement.Batch(0, new StreamElement.Record[]{record(0, "x")}, 1));
            producer.add("y", 0, false, null);
            producer.addControl(new StreamElement.Barrier(0, unaligned(1, 0)));
        });
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        assertThat(gate.takeCapture(1).isComplete()).as("the barrier was already queued behind x and y").isTrue();
    }
}
