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
import dev.cairn.spi.backend.TimerIndex;
import dev.cairn.spi.backend.TimerIndex.Timer;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.Comparator;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Event- and processing-time timers of a keyed subtask. Timers are keyed state (a map from time
 * to a marker, per key) so they are snapshotted, restored and rescaled with the other state; an
 * index orders them for firing: the backend's own where it keeps one (RocksDB: a column family),
 * else one on the heap, rebuilt from the state on restore.
 */
final class TimerServiceImpl<K> implements TimerService {

    interface Firing {
        void fire(long time, TimeDomain domain) throws Exception;
    }

    /** The kernel's own index: every timer on the heap, deletions lazy. Used when the backend keeps none. */
    private static final class HeapTimerIndex<K> implements TimerIndex<K> {
        private final PriorityQueue<Timer<K>> queue = new PriorityQueue<>(Comparator.comparingLong(Timer::time));
        private final Set<Timer<K>> live = new HashSet<>();

        @Override
        public void add(long time, K key) {
            Timer<K> t = new Timer<>(time, key);
            if (live.add(t)) {
                queue.add(t);
            }
        }

        @Override
        public void remove(long time, K key) {
            live.remove(new Timer<>(time, key));
        }

        @Override
        public Timer<K> pollUpTo(long maxTime) {
            Timer<K> head;
            while ((head = queue.peek()) != null && head.time() <= maxTime) {
                queue.poll();
                if (live.remove(head)) {
                    return head;
                }
            }
            return null;
        }
    }

    private final class Timers {
        final InternalMapState<VoidNamespace, Long, Boolean> state;
        final TimerIndex<K> index;

        Timers(String name) throws Exception {
            StateMetaInfo meta = new StateMetaInfo(name, "TIMERS", SerializerSnapshotRef.of(Serializers.VOID_NAMESPACE),
                    SerializerSnapshotRef.of(Serializers.BOOLEAN), SerializerSnapshotRef.of(Serializers.LONG), false);
            state = (InternalMapState<VoidNamespace, Long, Boolean>) backend.<VoidNamespace>createState(new StateSpec(name, StateKind.MAP,
                    Serializers.VOID_NAMESPACE, Serializers.BOOLEAN, Serializers.LONG, null, null, meta), SerializerCompatibility.COMPATIBLE_AS_IS);
            state.setCurrentNamespace(VoidNamespace.INSTANCE);
            TimerIndex<K> kept = backend.timerIndex(name);
            if (kept != null) {
                index = kept;
            } else {
                index = new HeapTimerIndex<>();
                for (K key : backend.keys(name, VoidNamespace.INSTANCE)) {
                    backend.setCurrentKey(key);
                    for (Long time : state.entries().keySet()) {
                        index.add(time, key);
                    }
                }
            }
        }

        void register(long time) throws Exception {
            if (!state.contains(time)) {
                state.put(time, Boolean.TRUE);
                index.add(time, backend.getCurrentKey());
            }
        }

        void delete(long time) throws Exception {
            if (state.contains(time)) {
                state.remove(time);
                index.remove(time, backend.getCurrentKey());
            }
        }

        void fireUpTo(long time, TimeDomain domain, Firing firing) throws Exception {
            TimerIndex.Timer<K> head;
            while ((head = index.pollUpTo(time)) != null) {
                backend.setCurrentKey(head.key());
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
    public void registerEventTimeTimer(long time) throws Exception {
        eventTimers.register(time);
    }

    @Override
    public void registerProcessingTimeTimer(long time) throws Exception {
        processingTimers.register(time);
    }

    @Override
    public void deleteEventTimeTimer(long time) throws Exception {
        eventTimers.delete(time);
    }

    @Override
    public void deleteProcessingTimeTimer(long time) throws Exception {
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
