package dev.cairn.examples.offers;

import dev.cairn.api.job.JobGraph;
import java.nio.file.Path;
import java.time.Duration;

/** The job graph: two sources, keyed by SKU into the enrichment, into the file sink. */
public final class OfferEnrichmentJob {

    public static final int SPLITS = 6;

    private OfferEnrichmentJob() {
    }

    /** @param recordsPerSecond per source subtask; 0 for unthrottled */
    public static JobGraph build(String name, long seed, int events, int skus, Path output, int recordsPerSecond) {
        return build(name, seed, events, skus, output, recordsPerSecond, 0);
    }

    /** @param sinkDelayMicros how long the sink waits per record (0: not at all): a slow sink backpressures the job */
    public static JobGraph build(String name, long seed, int events, int skus, Path output, int recordsPerSecond, int sinkDelayMicros) {
        return build(name, seed, events, skus, output, recordsPerSecond, sinkDelayMicros, 0);
    }

    /** @param checkpointsBeforeEnd how many checkpoints each source subtask sees complete before it ends (0: it ends with its data) */
    public static JobGraph build(String name, long seed, int events, int skus, Path output, int recordsPerSecond, int sinkDelayMicros,
            int checkpointsBeforeEnd) {
        JobGraph.Builder job = JobGraph.builder(name);
        JobGraph.Stream<SkuEvent> offers = job.source("offers",
                new TimelineSource(seed, events, skus, SPLITS, TimelineSource.Kind.OFFERS, recordsPerSecond, checkpointsBeforeEnd));
        JobGraph.Stream<SkuEvent> updates = job.source("product-updates",
                new TimelineSource(seed, events, skus, SPLITS, TimelineSource.Kind.PRODUCT_UPDATES, recordsPerSecond, checkpointsBeforeEnd));
        offers.union(updates)
                .keyBy(SkuEvent::sku, String.class)
                .process("enrich", new EnrichOffers(Duration.ofHours(1)))
                .sinkTo("enriched-offers", new TransactionalFileSink(output, sinkDelayMicros));
        return job.build();
    }
}
