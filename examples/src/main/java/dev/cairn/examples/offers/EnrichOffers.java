package dev.cairn.examples.offers;

import dev.cairn.api.job.Collector;
import dev.cairn.api.job.KeyedProcessFunction;
import dev.cairn.api.job.KeyedRuntimeContext;
import dev.cairn.api.state.MapState;
import dev.cairn.api.state.MapStateDescriptor;
import dev.cairn.api.state.StateTtlConfig;
import dev.cairn.api.state.ValueState;
import dev.cairn.api.state.ValueStateDescriptor;
import java.time.Duration;

/**
 * Applies each SKU's events in timeline order (parking early arrivals in map state) and enriches
 * every offer with the SKU's current product. Products of SKUs not updated for {@code productTtl}
 * expire.
 */
public final class EnrichOffers extends KeyedProcessFunction<String, SkuEvent, String> {

    private static final long serialVersionUID = 1L;

    private final Duration productTtl;
    private transient ValueState<Product> product;
    private transient ValueState<Long> nextSeq;
    private transient MapState<Long, SkuEvent> parked;

    public EnrichOffers(Duration productTtl) {
        this.productTtl = productTtl;
    }

    static String format(Offer o, String title) {
        return o.offerId() + "," + o.sku() + "," + o.priceCents() + "," + (title == null ? "unknown" : title);
    }

    @Override
    public void open(KeyedRuntimeContext context) throws Exception {
        ValueStateDescriptor<Product> productDescriptor = new ValueStateDescriptor<>("product", Product.class);
        productDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(productTtl)
                .cleanupFullSnapshot().cleanupIncrementally(10).build());
        product = context.getState(productDescriptor);
        nextSeq = context.getState(new ValueStateDescriptor<>("next-seq", Long.class));
        parked = context.getMapState(new MapStateDescriptor<>("parked", Long.class, SkuEvent.class));
    }

    @Override
    public void processElement(SkuEvent event, Context<String> ctx, Collector<String> out) throws Exception {
        Long stored = nextSeq.value();
        long next = stored == null ? 0 : stored;
        if (event.seq() != next) {
            parked.put(event.seq(), event);
            return;
        }
        apply(event, out);
        next++;
        SkuEvent waiting;
        while ((waiting = parked.get(next)) != null) {
            parked.remove(next);
            apply(waiting, out);
            next++;
        }
        nextSeq.update(next);
    }

    private void apply(SkuEvent event, Collector<String> out) throws Exception {
        if (event instanceof ProductUpdate u) {
            product.update(new Product(u.title(), u.version()));
        } else {
            Product p = product.value();
            out.collect(format((Offer) event, p == null ? null : p.title()));
        }
    }
}
