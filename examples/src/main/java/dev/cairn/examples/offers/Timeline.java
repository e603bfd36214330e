package dev.cairn.examples.offers;

import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seeded history both generated streams are cut from: event {@code i} of the timeline is the
 * same in every run with the same seed, so a source can replay from any position and the
 * expected output can be computed without running the job.
 */
public final class Timeline {

    private final List<SkuEvent> events; // never changed after generate: one timeline is shared between threads

    private Timeline(List<SkuEvent> events) {
        this.events = events;
    }

    private record Key(long seed, int events, int skus) {
    }

    /** Timelines of this JVM: both sources of a job and every run after a restart, switch or rescale share one. */
    private static final Map<Key, SoftReference<Timeline>> SHARED = new HashMap<>();

    /**
     * The timeline for these parameters, generated once while memory allows: a restarted source
     * resumes at once, as one reading a log would, instead of paying for the generation again
     * (seconds for millions of events) inside the pause a restart, a rescale or a switch measures.
     */
    public static synchronized Timeline shared(long seed, int events, int skus) {
        Key key = new Key(seed, events, skus);
        SoftReference<Timeline> ref = SHARED.get(key);
        Timeline timeline = ref == null ? null : ref.get();
        if (timeline == null) {
            timeline = generate(seed, events, skus);
            SHARED.values().removeIf(r -> r.get() == null);
            SHARED.put(key, new SoftReference<>(timeline));
        }
        return timeline;
    }

    public static Timeline generate(long seed, int events, int skus) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> seqs = new HashMap<>();
        Map<String, Integer> versions = new HashMap<>();
        List<SkuEvent> list = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            String sku = "sku-" + random.nextInt(skus);
            long seq = seqs.merge(sku, 1L, Long::sum) - 1;
            if (random.nextInt(5) == 0) {
                int version = versions.merge(sku, 1, Integer::sum);
                list.add(new ProductUpdate(sku, seq, version, "title-" + sku + "-v" + version));
            } else {
                list.add(new Offer(sku, seq, i, random.nextLong(100, 100_000)));
            }
        }
        return new Timeline(list);
    }

    public int size() {
        return events.size();
    }

    public SkuEvent get(int index) {
        return events.get(index);
    }

    /** Which of {@code splits} source splits an event belongs to. */
    public static int splitOf(SkuEvent e, int splits) {
        return Math.floorMod(e.sku().hashCode(), splits);
    }

    /**
     * What the job must write, computed by replaying the timeline in order with a plain map:
     * every offer once, enriched with the product as of the moment the offer was made.
     */
    public List<String> expectedOutput() {
        Map<String, ProductUpdate> products = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (SkuEvent e : events) {
            if (e instanceof ProductUpdate u) {
                products.put(u.sku(), u);
            } else {
                Offer o = (Offer) e;
                ProductUpdate p = products.get(o.sku());
                out.add(EnrichOffers.format(o, p == null ? null : p.title()));
            }
        }
        return out;
    }
}
