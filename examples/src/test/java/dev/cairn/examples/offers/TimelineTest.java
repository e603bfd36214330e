package dev.cairn.examples.offers;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimelineTest {

    @Test
    void everySkusSequenceNumbersCountUpFromZeroAndUpdatesHaveIncreasingVersions() {
        Timeline timeline = Timeline.of(7, 50_000, 1_234);
        Map<String, Long> nextSeq = new HashMap<>();
        Map<String, Integer> lastVersion = new HashMap<>();
        int updates = 0;
        Timeline.Reader reader = timeline.reader();
        for (int i = 0; i < timeline.size(); i++) {
            SkuEvent e = reader.event(i);
            assertThat(e.seq()).as("seq of event %d (%s)", i, e).isEqualTo(nextSeq.getOrDefault(e.sku(), 0L));
            nextSeq.put(e.sku(), e.seq() + 1);
            if (e instanceof ProductUpdate u) {
                updates++;
                assertThat(u.version()).isGreaterThan(lastVersion.getOrDefault(u.sku(), 0));
                lastVersion.put(u.sku(), u.version());
            }
        }
        assertThat(nextSeq).hasSize(1_234);
        assertThat(updates).isBetween(9_000, 11_000); // one in five
    }

    @Test
    void anEventReadOnItsOwnEqualsTheSameEventReadInOrder() {
        Timeline timeline = Timeline.of(3, 20_000, 97);
        SkuEvent[] inOrder = new SkuEvent[timeline.size()];
        Timeline.Reader reader = timeline.reader();
        for (int i = 0; i < inOrder.length; i++) {
            inOrder[i] = reader.event(i);
        }
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 0; n < 2_000; n++) {
            int i = random.nextInt(inOrder.length);
            assertThat(timeline.get(i)).isEqualTo(inOrder[i]);
            assertThat(Timeline.of(3, 20_000, 97).get(i)).isEqualTo(inOrder[i]);
        }
    }

    @Test
    void theSeedChangesTheTimeline() {
        Set<SkuEvent> first = new HashSet<>();
        Set<SkuEvent> second = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            first.add(Timeline.of(1, 1_000, 100).get(i));
            second.add(Timeline.of(2, 1_000, 100).get(i));
        }
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theLargestTimelineCostsNoMemory() {
        // the timeline used to be generated in memory: 100 million events ran a 2 GiB platform out of heap
        Timeline timeline = Timeline.of(5, Integer.MAX_VALUE, 1_000_000);
        long before = usedMemory();
        SkuEvent last = timeline.get(Integer.MAX_VALUE - 1);
        assertThat(last.seq()).isEqualTo((Integer.MAX_VALUE - 1) / 1_000_000);
        assertThat(Timeline.splitOf(timeline.reader().skuNumber(Integer.MAX_VALUE - 1), 6)).isBetween(0, 5);
        assertThat(usedMemory() - before).isLessThan(64L << 20);
    }

    private static long usedMemory() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
