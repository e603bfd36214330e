package dev.cairn.examples.offers;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.serialization.Serializers;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;

/** A small keyed function for schema tests: counts events per SKU in state {@code count}, optionally keeps {@code last-seq}. */
final class CountPerKey extends KeyedProcessFunction<String, SkuEvent, String> {
    private static final long serialVersionUID = 1L;

    private final boolean countAsString;
    private final boolean keepLastSeq;
    private transient ValueState<Long> count;
    private transient ValueState<String> countText;
    private transient ValueState<Long> lastSeq;

    CountPerKey(boolean countAsString, boolean keepLastSeq) {
        this.countAsString = countAsString;
        this.keepLastSeq = keepLastSeq;
    }

    @Override
    public void open(KeyedRuntimeContext context) throws Exception {
        if (countAsString) {
            countText = context.getState(new ValueStateDescriptor<>("count", Serializers.STRING));
        } else {
            count = context.getState(new ValueStateDescriptor<>("count", Serializers.LONG));
        }
        if (keepLastSeq) {
            lastSeq = context.getState(new ValueStateDescriptor<>("last-seq", Serializers.LONG));
        }
    }

    @Override
    public void processElement(SkuEvent value, Context<String> ctx, Collector<String> out) throws Exception {
        if (countAsString) {
            countText.update(value.sku());
        } else {
            Long c = count.value();
            count.update(c == null ? 1 : c + 1);
        }
        if (keepLastSeq) {
            lastSeq.update(value.seq());
        }
    }
}
