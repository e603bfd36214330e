package dev.cairn.core.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputGateTest {

    private static StreamElement.Record record(int channel, Object value) {
        return new StreamElement.Record(channel, value, 0, false);
    }

    private static StreamElement.Barrier barrier(int channel, long id) {
        return new StreamElement.Barrier(channel, new CheckpointBarrier(id, false, false, false, "full"));
    }

    private static List<Object> drain(InputGate gate) throws InterruptedException {
        List<Object> out = new ArrayList<>();
        StreamElement e;
        while ((e = gate.next(1)) != null) {
            if (e instanceof StreamElement.Record r) {
                out.add(r.value());
            } else if (e instanceof StreamElement.Barrier b) {
                out.add("barrier-" + b.barrier().checkpointId());
            } else if (e instanceof StreamElement.Watermark w) {
                out.add("wm-" + w.time());
            } else {
                out.add("end");
            }
        }
        return out;
    }

    @Test
    void theAlignmentLastsFromTheFirstBarrierToTheLast() throws Exception {
        InputGate gate = new InputGate(2, 100);
        long before = System.nanoTime();
        gate.put(barrier(0, 1));
        assertThat(gate.next(1)).isNull(); // channel 0 is held back from here on
        Thread.sleep(50);
        gate.put(barrier(1, 1));
        assertThat(gate.next(1)).isInstanceOf(StreamElement.Barrier.class);
        long after = System.nanoTime();
        assertThat(gate.lastAlignmentNanos()).isBetween(50_000_000L, after - before);
    }

    @Test
    void recordsAfterABarrierWaitUntilEveryChannelDeliveredIt() throws Exception {
        InputGate gate = new InputGate(2, 100);
        gate.put(record(0, "a1"));
        gate.put(barrier(0, 1));
        gate.put(record(0, "a2-after"));
        gate.put(record(1, "b1"));
        gate.put(record(1, "b2"));
        gate.put(barrier(1, 1));
        gate.put(record(1, "b3-after"));
        assertThat(drain(gate)).containsExactly("a1", "b1", "b2", "barrier-1", "a2-after", "b3-after");
    }

    @Test
    void heldRecordsKeepTheirOrderAndCanHoldTheNextBarrier() throws Exception {
        InputGate gate = new InputGate(2, 100);
        gate.put(barrier(0, 1));
        gate.put(record(0, "a1"));
        gate.put(barrier(0, 2));
        gate.put(record(0, "a2"));
        gate.put(record(1, "b0"));
        gate.put(barrier(1, 1));
        gate.put(record(1, "b1"));
        gate.put(barrier(1, 2));
        assertThat(drain(gate)).containsExactly("b0", "barrier-1", "a1", "b1", "barrier-2", "a2");
    }

    @Test
    void anEndedChannelNoLongerTakesPartInAlignmentOrWatermarks() throws Exception {
        InputGate gate = new InputGate(2, 100);
        gate.put(new StreamElement.Watermark(0, 10));
        gate.put(new StreamElement.Watermark(1, 5));
        gate.put(barrier(0, 1));
        gate.put(new StreamElement.EndOfInput(1));
        gate.put(new StreamElement.Watermark(0, 20));
        gate.put(new StreamElement.EndOfInput(0));
        assertThat(drain(gate)).containsExactly("wm-5", "barrier-1", "wm-10", "wm-20", "end");
    }
}
