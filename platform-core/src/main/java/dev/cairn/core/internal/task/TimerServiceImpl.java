package dev.cairn.core.internal.task;

import dev.cairn.api.job.KeyedProcessFunction.TimeDomain;
import dev.cairn.api.job.TimerService;
import dev.cairn.api.serialization.SerializerCompatibility;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.serialization.VoidNamespace;
import dev.cairn.spi.backend.InternalMapState;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.backend.StateSpec;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Event- and processing-time timers of a keyed subtask. Timers are keyed state (a map from time
 * to a marker, per key) so they are snapshotted, restored and rescaled with the other state; the
 * in-memory queues only order them for firing and are rebuilt on restore.
 */
final class TimerServiceImpl<K> implements TimerService {

    interface Firing {
        void fire(long time, TimeDomain domain) throws Exception;
    }

    private record Timer(long time, Object key) implements Comparable<Timer> {
        public int compareTo(Timer o) {
            return Long.compare(time, o.time);
        }
    }

    private final class Timers {
        final InternalMapState<VoidNamespace, Long, Boolean> state;
        final PriorityQueue<Timer> queue = new PriorityQueue<>();
        final Set<Timer> live = new HashSet<>();

        Timers(String name) throws Exception {
            StateMetaInfo meta = new StateMetaInfo(name, "TIMERS", SerializerSnapshotRef.of(Serializers.VOID_NAMESPACE),
                    SerializerSnapshotRef.of(Serializers.BOOLEAN), SerializerSnapshotRef.of(Serializers.LONG), false);
            state = (InternalMapState<VoidNamespace, Long, Boolean>) backend.<VoidNamespace>createState(new StateSpec(name, StateKind.MAP,
                    Serializers.VOID_NAMESPACE, Serializers.BOOLEAN, Serializers.LONG, null, null, meta), SerializerCompatibility.COMPATIBLE_AS_IS);
            state.setCurrentNamespace(VoidNamespace.INSTANCE);
            for (K key : backend.keys(name, VoidNamespace.INSTANCE)) {
                backend.setCurrentKey(key);
                for (Long time : state.entries().keySet()) {
                    Timer t = new Timer(time, key);
                    live.add(t);
                    queue.add(t);
                }
            }
        }

        void register(long time) {
            Timer t = new Timer(time, backend.getCurrentKey());
            if (live.add(t)) {
                queue.add(t);
                state.put(time, Boolean.TRUE);
            }
        }

        void delete(long time) {
            if (live.remove(new Timer(time, backend.getCurrentKey()))) {
                state.remove(time);
            }
        }

        @SuppressWarnings("unchecked")
        void fireUpTo(long time, TimeDomain domain, Firing firing) throws Exception {
            Timer head;
            while ((head = queue.peek()) != null && head.time() <= time) {
                queue.poll();
                if (!live.remove(head)) {
                    continue; // deleted
                }
                backend.setCurrentKey((K) head.key());
                state.remove(head.time());
                firing.fire(head.time(), domain);
            }
        }
    }

    private final KeyedStateBackend<K> backend;
    private final LongSupplier clock;
    private final Timers eventTimers;
    private final Timers processingTimers;
    private long watermark = Long.MIN_VALUE;

    TimerServiceImpl(KeyedStateBackend<K> backend, LongSupplier clock) throws Exception {
        this.backend = backend;
        this.clock = clock;
        this.eventTimers = new Timers("_timers_event");
        this.processingTimers = new Timers("_timers_processing");
    }

    @Override
    public long currentProcessingTime() {
        return clock.getAsLong();
    }

    @Override
    public long currentWatermark() {
        return watermark;
    }

    @Override
    public void registerEventTimeTimer(long time) {
        eventTimers.register(time);
    }

    @Override
    public void registerProcessingTimeTimer(long time) {
        processingTimers.register(time);
    }

    @Override
    public void deleteEventTimeTimer(long time) {
        eventTimers.delete(time);
    }

    @Override
    public void deleteProcessingTimeTimer(long time) {
        processingTimers.delete(time);
    }

    void advanceWatermark(long time, Firing firing) throws Exception {
        watermark = time;
        eventTimers.fireUpTo(time, TimeDomain.EVENT_TIME, firing);
    }

    void fireProcessingTimers(Firing firing) throws Exception {
        processingTimers.fireUpTo(clock.getAsLong(), TimeDomain.PROCESSING_TIME, firing);
    }
}
