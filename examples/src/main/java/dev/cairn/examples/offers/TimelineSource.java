package dev.cairn.examples.offers;

import dev.cairn.api.job.Source;
import dev.cairn.api.job.SourceContext;
import dev.cairn.api.job.SourceOutput;
import dev.cairn.api.job.SourceReader;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * A replayable, partitioned source of one kind of timeline event (offers or product updates), like
 * a Kafka topic with {@code splits} partitions. Each split's position is one element of operator
 * list state, so a rescaled restore hands every split to exactly one subtask.
 */
public final class TimelineSource implements Source<SkuEvent> {

    private static final long serialVersionUID = 1L;

    public enum Kind { OFFERS, PRODUCT_UPDATES }

    private final long seed;
    private final int events;
    private final int skus;
    private final int splits;
    private final Kind kind;
    private final int recordsPerSecond;
    private final int checkpointsBeforeEnd;

    /** @param recordsPerSecond per subtask; 0 for as fast as possible */
    public TimelineSource(long seed, int events, int skus, int splits, Kind kind, int recordsPerSecond) {
        this(seed, events, skus, splits, kind, recordsPerSecond, 0);
    }

    /**
     * @param checkpointsBeforeEnd how many checkpoints (savepoints included) a subtask must see complete, from its start,
     *        before it ends once its data is read: a test that needs some checkpoints to happen
     *        then gets them however slowly the machine runs
     */
    public TimelineSource(long seed, int events, int skus, int splits, Kind kind, int recordsPerSecond, int checkpointsBeforeEnd) {
        this.seed = seed;
        this.events = events;
        this.skus = skus;
        this.splits = splits;
        this.kind = kind;
        this.recordsPerSecond = recordsPerSecond;
        this.checkpointsBeforeEnd = checkpointsBeforeEnd;
    }

    @Override
    public SourceReader<SkuEvent> createReader(SourceContext context) throws Exception {
        ListState<String> state = context.operatorState().getListState(new ListStateDescriptor<>("split-positions", Serializers.STRING));
        List<int[]> positions = new ArrayList<>(); // {split, next timeline index}
        if (context.isRestored()) {
            for (String s : state.get()) {
                String[] parts = s.split(":");
                positions.add(new int[]{Integer.parseInt(parts[0]), Integer.parseInt(parts[1])});
            }
        } else {
            for (int split = context.subtaskIndex(); split < splits; split += context.parallelism()) {
                positions.add(new int[]{split, 0});
            }
        }
        return new Reader(Timeline.of(seed, events, skus).reader(), positions, state);
    }

    private final class Reader implements SourceReader<SkuEvent> {
        private final Timeline.Reader timeline;
        private final List<int[]> positions;
        private final ListState<String> state;
        private long started = System.nanoTime();
        private long emitted;
        private int checkpointsCompleted;

        Reader(Timeline.Reader timeline, List<int[]> positions, ListState<String> state) {
            this.timeline = timeline;
            this.positions = positions;
            this.state = state;
        }

        @Override
        public boolean pollNext(SourceOutput<SkuEvent> output) throws InterruptedException {
            if (recordsPerSecond > 0) {
                long due = started + emitted * 1_000_000_000L / recordsPerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            boolean more = false;
            for (int[] p : positions) {
                while (p[1] < events) {
                    int index = p[1]++;
                    if (Timeline.splitOf(timeline.skuNumber(index), splits) == p[0]
                            && timeline.isProductUpdate(index) == (kind == Kind.PRODUCT_UPDATES)) {
                        output.collect(timeline.event(index));
                        emitted++;
                        break;
                    }
                }
                more |= p[1] < events;
            }
            if (!more && checkpointsCompleted < checkpointsBeforeEnd) {
                Thread.sleep(1); // waiting for checkpoints, not for data
                return true;
            }
            return more;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointsCompleted++;
        }

        @Override
        public void snapshotState(long checkpointId) throws Exception {
            List<String> list = new ArrayList<>();
            for (int[] p : positions) {
                list.add(p[0] + ":" + p[1]);
            }
            state.update(list);
        }
    }
}
