package dev.cairn.core.internal.task;

import dev.cairn.api.job.JobGraph;
import dev.cairn.api.job.KeySelector;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.spi.backend.KeyGroups;
import java.util.ArrayList;
import java.util.List;

/** Sends a subtask's output to the subtasks of the operators it feeds. */
final class OutputRouter {

    /** One downstream edge: the gates of the downstream operator and this subtask's channel in each. */
    record Edge(InputGate[] gates, int[] channelInGate, JobGraph.Partitioning partitioning,
                KeySelector<Object, Object> keySelector) {
    }

    /** An edge as this subtask sends on it: a buffer per downstream subtask. */
    private record Route(ChannelBuffer[] buffers, JobGraph.Partitioning partitioning, KeySelector<Object, Object> keySelector) {
    }

    private final List<Route> routes = new ArrayList<>();
    /** Tasks chained to this subtask: they get its output by a direct call. */
    private final List<InputTask> chained = new ArrayList<>();
    private final int subtask;
    private final int maxParallelism;

    OutputRouter(int subtask, int maxParallelism) {
        this.subtask = subtask;
        this.maxParallelism = maxParallelism;
    }

    void addEdge(Edge edge) {
        ChannelBuffer[] buffers = new ChannelBuffer[edge.gates().length];
        for (int t = 0; t < buffers.length; t++) {
            if (edge.partitioning() != JobGraph.Partitioning.FORWARD || t == subtask) {
                buffers[t] = new ChannelBuffer(edge.gates()[t], edge.channelInGate()[t]);
            }
        }
        routes.add(new Route(buffers, edge.partitioning(), edge.keySelector()));
    }

    void addChained(InputTask task) {
        chained.add(task);
    }

    void emit(Object value, long timestamp, boolean hasTimestamp) throws Exception {
        for (int i = 0; i < chained.size(); i++) {
            chained.get(i).acceptRecord(new StreamElement.Record(0, value, timestamp, hasTimestamp));
        }
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            if (r.partitioning() == JobGraph.Partitioning.FORWARD) {
                r.buffers()[subtask].add(value, timestamp, hasTimestamp, null);
                continue;
            }
            Object key = r.keySelector().getKey(value);
            if (key == null) {
                throw new NullPointerException("Key selector returned null for record " + value);
            }
            int target = KeyGroups.subtaskFor(KeyGroups.keyGroupFor(key, maxParallelism), maxParallelism, r.buffers().length);
            r.buffers()[target].add(value, timestamp, hasTimestamp, key); // the downstream subtask keys the record by it
        }
    }

    void broadcastWatermark(long time) throws Exception {
        broadcast(t -> t.acceptWatermark(time), channel -> new StreamElement.Watermark(channel, time));
    }

    void broadcastBarrier(CheckpointBarrier barrier) throws Exception {
        broadcast(t -> t.acceptBarrier(barrier), channel -> new StreamElement.Barrier(channel, barrier));
    }

    void broadcastEnd() throws Exception {
        broadcast(InputTask::acceptEnd, StreamElement.EndOfInput::new);
    }

    private interface ChainedCall {
        void to(InputTask task) throws Exception;
    }

    /** A control element to every downstream subtask: chained ones by {@code call}, the others through their buffers. */
    private void broadcast(ChainedCall call, java.util.function.IntFunction<StreamElement> element) throws Exception {
        for (InputTask t : chained) {
            call.to(t);
        }
        for (Route r : routes) {
            for (ChannelBuffer b : targets(r)) {
                b.addControl(element.apply(b.channel()));
            }
        }
    }

    /** A downstream gate without room, or {@code null} if every one has room. */
    private InputGate full() {
        for (Route r : routes) {
            for (ChannelBuffer b : targets(r)) {
                if (!b.gate().hasRoom()) {
                    return b.gate();
                }
            }
        }
        return null;
    }

    boolean hasRoom() {
        return full() == null;
    }

    /** Waits up to {@code millis} for room in a downstream gate that has none. */
    void awaitRoom(long millis) throws InterruptedException {
        InputGate full = full();
        if (full != null) {
            full.awaitRoom(millis);
        }
    }

    private ChannelBuffer[] targets(Route r) {
        return r.partitioning() == JobGraph.Partitioning.FORWARD ? new ChannelBuffer[]{r.buffers()[subtask]} : r.buffers();
    }
}
