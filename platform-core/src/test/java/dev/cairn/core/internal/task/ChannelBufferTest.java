package dev.cairn.core.internal.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Records cross threads in batches: whatever the interleaving, every record arrives once, in its
 * channel's order, on the side of each aligned barrier it was sent on.
 */
class ChannelBufferTest {

    private static final int CHANNELS = 3;
    private static final int RECORDS = 20_000;
    private static final int BARRIER_EVERY = 997; // not a multiple of the batch size: barriers fall inside batches

    @Test
    void barriersNeverOvertakeRecordsAndEveryRecordArrivesOnceInItsEpoch() throws Exception {
        InputGate gate = new InputGate(CHANNELS, 4); // a small gate: producers block, consumers take partial batches
        ChannelBuffer[] buffers = new ChannelBuffer[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            buffers[c] = new ChannelBuffer(gate, c);
        }
        ExecutorService producers = Executors.newFixedThreadPool(CHANNELS);
        List<Future<?>> sent = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
            ChannelBuffer buffer = buffers[c];
            int channel = c;
            sent.add(producers.submit(() -> {
                for (int i = 0; i < RECORDS; i++) {
                    if (i > 0 && i % BARRIER_EVERY == 0) {
                        buffer.addControl(new StreamElement.Barrier(channel, barrier(i / BARRIER_EVERY)));
                    }
                    buffer.add(new int[]{channel, i}, i, true, null);
                    if (i % 5_000 == 0) {
                        Thread.sleep(2); // slow phases, in which the consumer takes what is buffered
                    }
                }
                buffer.addControl(new StreamElement.EndOfInput(channel));
                return null;
            }));
        }
        int[] nextPerChannel = new int[CHANNELS];
        long epoch = 0;
        int received = 0;
        while (true) {
            StreamElement e = gate.next(10);
            if (e == null) {
                continue;
            }
            if (e instanceof StreamElement.EndOfInput) {
                break;
            }
            if (e instanceof StreamElement.Barrier b) {
                assertThat(b.barrier().checkpointId()).isEqualTo(epoch + 1);
                epoch = b.barrier().checkpointId();
                continue;
            }
            if (e instanceof StreamElement.Record r) {
                int[] value = (int[]) r.value();
                assertThat(value[1]).as("channel %d's next record", value[0]).isEqualTo(nextPerChannel[value[0]]);
                assertThat(value[1] / BARRIER_EVERY).as("the epoch record %d of channel %d was sent in", value[1], value[0])
                        .isEqualTo(epoch);
                assertThat(r.timestamp()).isEqualTo(value[1]);
                nextPerChannel[value[0]]++;
                received++;
            }
        }
        for (Future<?> f : sent) {
            f.get(1, TimeUnit.MINUTES);
        }
        producers.shutdown();
        assertThat(received).isEqualTo(CHANNELS * RECORDS);
        assertThat(nextPerChannel).containsOnly(RECORDS);
        assertThat(epoch).isEqualTo((RECORDS - 1) / BARRIER_EVERY);
    }

    private static CheckpointBarrier barrier(long id) {
        return new CheckpointBarrier(id, false, false, false, "full");
    }
}
