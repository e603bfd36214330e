package dev.cairn.examples.kafka;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;

/** Counts the records of each key and emits {@code key:count} after each one. */
public final class RunningCount extends KeyedProcessFunction<String, String, String> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Long> count;

    @Override
    public void open(KeyedRuntimeContext context) throws Exception {
        count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
    }

    @Override
    public void processElement(String line, Context<String> ctx, Collector<String> out) throws Exception {
        Long before = count.value();
        long n = before == null ? 1 : before + 1;
        count.update(n);
        out.collect(ctx.getCurrentKey() + ":" + n);
    }

    /** The key of a {@code key,value} line: the text before its first comma (the whole line without one). */
    public static String keyOf(String line) {
        int comma = line.indexOf(',');
        return comma < 0 ? line : line.substring(0, comma);
    }
}
