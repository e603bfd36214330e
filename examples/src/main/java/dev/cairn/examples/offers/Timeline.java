package dev.cairn.examples.offers;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seeded history both generated streams are cut from: event {@code i} of the timeline is the
 * same in every run with the same seed, so a source can replay from any position and the
 * expected output can be computed without running the job.
 *
 * <p>Any event is computed from its index alone, so memory does not grow with the number of
 * events and a restored source resumes at once. The timeline runs in rounds of {@code skus}
 * events; each round visits every SKU once, in an order shuffled per round, so an event's
 * per-SKU sequence number is its round. One event in five is a product update (its version is
 * its round plus one); the others are offers.
 */
public final class Timeline {

    private final long seed;
    private final int events;
    private final int skus;

    private Timeline(long seed, int events, int skus) {
        if (events < 1 || skus < 1) {
            throw new IllegalArgumentException("a timeline needs at least one event and one SKU: events=" + events + ", skus=" + skus);
        }
        this.seed = seed;
        this.events = events;
        this.skus = skus;
    }

    public static Timeline of(long seed, int events, int skus) {
        return new Timeline(seed, events, skus);
    }

    public int size() {
        return events;
    }

    /** Event {@code index}; a {@link Reader} is cheaper for reading many in order. */
    public SkuEvent get(int index) {
        return reader().event(index);
    }

    /** A reader of this timeline for one thread. */
    public Reader reader() {
        return new Reader();
    }

    /** Which of {@code splits} source splits the SKU with this number belongs to. */
    public static int splitOf(int skuNumber, int splits) {
        return skuNumber % splits;
    }

    /**
     * Reads events by index, keeping the shuffle of the round it read last: reading in order
     * costs a few arithmetic operations per event, and nothing is allocated for events a
     * caller skips.
     */
    public final class Reader {
        private long round = -1;
        private long multiplier;
        private long offset;

        private Reader() {
        }

        /** The number of the SKU event {@code index} is about. */
        public int skuNumber(int index) {
            checkIndex(index);
            long r = index / skus;
            if (r != round) {
                shuffle(r);
            }
            return (int) ((multiplier * (index - r * skus) + offset) % skus);
        }

        /** Whether event {@code index} is a product update (else it is an offer). */
        public boolean isProductUpdate(int index) {
            checkIndex(index);
            return Long.remainderUnsigned(mix(index), 5) == 0;
        }

        public SkuEvent event(int index) {
            int number = skuNumber(index);
            String sku = "sku-" + number;
            long seq = index / skus;
            if (isProductUpdate(index)) {
                int version = (int) seq + 1;
                return new ProductUpdate(sku, seq, version, "title-" + sku + "-v" + version);
            }
            return new Offer(sku, seq, index, 100 + Long.remainderUnsigned(mix(~index), 99_900));
        }

        /** An affine permutation of the SKU numbers per round: a multiplier coprime to {@code skus} and an offset. */
        private void shuffle(long r) {
            SplittableRandom random = new SplittableRandom(seed ^ (r * 0x9E3779B97F4A7C15L));
            long m;
            do {
                m = skus == 1 ? 1 : 1 + random.nextLong(skus - 1);
            } while (gcd(m, skus) != 1);
            multiplier = m;
            offset = random.nextLong(skus);
            round = r;
        }

        private long mix(long index) {
            long z = seed + index * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        private void checkIndex(int index) {
            if (index < 0 || index >= events) {
                throw new IndexOutOfBoundsException("event " + index + " of a timeline of " + events);
            }
        }
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /**
     * What the job must write, computed by replaying the timeline in order with a plain map:
     * every offer once, enriched with the product as of the moment the offer was made.
     */
    public List<String> expectedOutput() {
        Map<String, String> titles = new HashMap<>();
        List<String> out = new ArrayList<>();
        Reader reader = reader();
        for (int i = 0; i < events; i++) {
            SkuEvent e = reader.event(i);
            if (e instanceof ProductUpdate u) {
                titles.put(u.sku(), u.title());
            } else {
                Offer o = (Offer) e;
                out.add(EnrichOffers.format(o, titles.get(o.sku())));
            }
        }
        return out;
    }
}
