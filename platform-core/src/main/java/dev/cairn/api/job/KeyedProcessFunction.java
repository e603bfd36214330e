package dev.cairn.api.job;

/**
 * Processes the records of a keyed stream one at a time with keyed state and timers. State is
 * obtained in {@link #open} from the {@link KeyedRuntimeContext}; every access is scoped to the
 * key of the record (or timer) being processed.
 */
public abstract class KeyedProcessFunction<K, I, O> implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    public void open(KeyedRuntimeContext context) throws Exception {
    }

    public abstract void processElement(I value, Context<K> ctx, Collector<O> out) throws Exception;

    public void onTimer(long timestamp, TimerContext<K> ctx, Collector<O> out) throws Exception {
    }

    public void close() throws Exception {
    }

    public interface Context<K> {
        K getCurrentKey();

        /** The record's event timestamp, or {@code null} when it has none. */
        Long timestamp();

        TimerService timerService();
    }

    public interface TimerContext<K> extends Context<K> {
        TimeDomain timeDomain();
    }

    public enum TimeDomain { EVENT_TIME, PROCESSING_TIME }
}
