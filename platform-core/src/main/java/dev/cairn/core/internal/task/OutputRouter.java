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

    private final List<Edge> edges = new ArrayList<>();
    private final int subtask;
    private final int maxParallelism;

    OutputRouter(int subtask, int maxParallelism) {
        this.subtask = subtask;
        this.maxParallelism = maxParallelism;
    }

    void addEdge(Edge edge) {
        edges.add(edge);
    }

    void emit(Object value, long timestamp, boolean hasTimestamp) throws Exception {
        for (Edge e : edges) {
            int target;
            if (e.partitioning() == JobGraph.Partitioning.FORWARD) {
                target = subtask;
            } else {
                Object key = e.keySelector().getKey(value);
                if (key == null) {
                    throw new NullPointerException("Key selector returned null for record " + value);
                }
                target = KeyGroups.subtaskFor(KeyGroups.keyGroupFor(key, maxParallelism), maxParallelism, e.gates().length);
            }
            e.gates()[target].put(new StreamElement.Record(e.channelInGate()[target], value, timestamp, hasTimestamp));
        }
    }

    void broadcastWatermark(long time) throws InterruptedException {
        for (Edge e : edges) {
            for (int t : targets(e)) {
                e.gates()[t].put(new StreamElement.Watermark(e.channelInGate()[t], time));
            }
        }
    }

    void broadcastBarrier(CheckpointBarrier barrier) throws InterruptedException {
        for (Edge e : edges) {
            for (int t : targets(e)) {
                e.gates()[t].put(new StreamElement.Barrier(e.channelInGate()[t], barrier));
            }
        }
    }

    void broadcastEnd() throws InterruptedException {
        for (Edge e : edges) {
            for (int t : targets(e)) {
                e.gates()[t].put(new StreamElement.EndOfInput(e.channelInGate()[t]));
            }
        }
    }

    private int[] targets(Edge e) {
        if (e.partitioning() == JobGraph.Partitioning.FORWARD) {
            return new int[]{subtask};
        }
        int[] all = new int[e.gates().length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }
}
