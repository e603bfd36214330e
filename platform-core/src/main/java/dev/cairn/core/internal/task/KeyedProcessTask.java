package dev.cairn.core.internal.task;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.KeySelector;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.job.NamespacedState;
import dev.cairn.api.job.TimerService;
import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.api.state.AggregatingState;
import dev.cairn.api.state.AggregatingStateDescriptor;
import dev.cairn.api.state.ListState;
import dev.cairn.api.state.ListStateDescriptor;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.OperatorStateStore;
import dev.cairn.api.state.ReducingState;
import dev.cairn.api.state.ReducingStateDescriptor;
import dev.cairn.api.state.State;
import dev.cairn.api.state.StateDescriptor;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import dev.cairn.core.internal.checkpoint.CheckpointBarrier;
import dev.cairn.core.internal.state.KeyedStateFactory;
import dev.cairn.spi.backend.KeyedStateBackend;
import java.util.HashSet;
import java.util.Set;

/** Runs a keyed process function over its key groups, with keyed state and timers. */
final class KeyedProcessTask<K, I, O> extends InputTask {

    private final KeyedProcessFunction<K, I, O> function;
    private final KeySelector<Object, Object> keySelector;
    private KeyedStateBackend<K> backend;
    private KeyedStateFactory<K> states;
    private TimerServiceImpl<K> timers;
    private Long currentTimestamp;
    private KeyedProcessFunction.TimeDomain currentDomain;
    private final Collector<O> collector = this::emit;
    private final TimerContext context = new TimerContext();

    KeyedProcessTask(ExecutionAttempt attempt, String uid, int subtask, OutputRouter output, InputGate gate,
                     KeyedProcessFunction<K, I, O> function, KeySelector<Object, Object> keySelector) {
        super(attempt, uid, subtask, output, gate);
        this.function = function;
        this.keySelector = keySelector;
    }

    @Override
    void restoreState() throws Exception {
        backend = attempt.createKeyedBackend(uid, subtask);
    }

    @Override
    void initialize() throws Exception {
        states = new KeyedStateFactory<>(backend, attempt.serializers(), attempt.clock(), uid);
        timers = new TimerServiceImpl<>(backend, attempt.clock());
        function.open(new RuntimeContext());
    }

    @Override
    KeyedStateBackend<?> keyedBackend() {
        return backend;
    }

    @Override
    Set<String> unclaimedState() {
        Set<String> unclaimed = new HashSet<>(super.unclaimedState());
        for (String name : backend.restoredStates().keySet()) {
            if (!name.startsWith("_") && !states.registeredStates().contains(name)) {
                unclaimed.add(name);
            }
        }
        return unclaimed;
    }

    @Override
    @SuppressWarnings("unchecked")
    void processRecord(StreamElement.Record record) throws Exception {
        Object key = record.key(); // routed by key: the key selector ran upstream
        backend.setCurrentKey((K) (key != null ? key : keySelector.getKey(record.value())));
        currentTimestamp = record.hasTimestamp() ? record.timestamp() : null;
        function.processElement((I) record.value(), context, collector);
    }

    @Override
    void processWatermark(long time) throws Exception {
        timers.advanceWatermark(time, this::onTimer);
        super.processWatermark(time);
    }

    @Override
    void onIdle() throws Exception {
        timers.fireProcessingTimers(this::onTimer);
    }

    private void onTimer(long time, KeyedProcessFunction.TimeDomain domain) throws Exception {
        currentTimestamp = domain == KeyedProcessFunction.TimeDomain.EVENT_TIME ? time : null;
        currentDomain = domain;
        function.onTimer(time, context, collector);
        currentDomain = null;
    }

    private void emit(O value) {
        try {
            if (currentTimestamp != null) {
                output.emit(value, currentTimestamp, true);
            } else {
                output.emit(value, 0, false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceTask.CancelledException();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    void onBarrier(CheckpointBarrier barrier) throws Exception {
        if (barrier.endOfData()) {
            // the sources have ended: fire every remaining event-time timer, as a final watermark would,
            // so that their output is part of the final checkpoint
            timers.advanceWatermark(Long.MAX_VALUE, this::onTimer);
        }
    }

    @Override
    void finish() throws Exception {
        function.close();
    }

    @Override
    void cleanup() {
        if (backend != null) {
            backend.close();
        }
    }

    private final class TimerContext implements KeyedProcessFunction.TimerContext<K> {
        public K getCurrentKey() {
            return backend.getCurrentKey();
        }

        public Long timestamp() {
            return currentTimestamp;
        }

        public TimerService timerService() {
            return timers;
        }

        public KeyedProcessFunction.TimeDomain timeDomain() {
            return currentDomain;
        }
    }

    private final class RuntimeContext implements KeyedRuntimeContext {
        public <T> ValueState<T> getState(ValueStateDescriptor<T> d) throws Exception {
            return states.getState(d);
        }

        public <T> ListState<T> getListState(ListStateDescriptor<T> d) throws Exception {
            return states.getState(d);
        }

        public <MK, MV> MapState<MK, MV> getMapState(MapStateDescriptor<MK, MV> d) throws Exception {
            return states.getState(d);
        }

        public <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> d) throws Exception {
            return states.getState(d);
        }

        public <A, B, C> AggregatingState<A, C> getAggregatingState(AggregatingStateDescriptor<A, B, C> d) throws Exception {
            return states.getState(d);
        }

        public <N, S extends State> NamespacedState<N, S> getNamespacedState(TypeSerializer<N> ns, StateDescriptor<S, ?> d) throws Exception {
            return states.getNamespacedState(ns, d);
        }

        public OperatorStateStore getOperatorStateStore() {
            return operatorState;
        }

        public int subtaskIndex() {
            return subtask;
        }

        public int parallelism() {
            return attempt.parallelism();
        }

        public int maxParallelism() {
            return attempt.maxParallelism();
        }

        public ClassLoader userClassLoader() {
            return attempt.serializers().classLoader();
        }
    }
}
