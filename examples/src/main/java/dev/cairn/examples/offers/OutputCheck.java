package dev.cairn.examples.offers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the committed output of an offer enrichment job with what the generator alone says
 * it must be: every expected line exactly once, nothing else.
 */
public final class OutputCheck {

    /** How the output compares: {@link #exactlyOnce()} when nothing is missing, duplicated or unexpected. */
    public record Result(int expected, int committed, long missing, long duplicated, long unexpected) {
        public boolean exactlyOnce() {
            return missing == 0 && duplicated == 0 && unexpected == 0 && committed == expected;
        }

        @Override
        public String toString() {
            return committed + " lines committed for " + expected + " expected: " + missing + " missing, "
                    + duplicated + " duplicated, " + unexpected + " unexpected";
        }
    }

    private OutputCheck() {
    }

    public static Result check(Path output, long seed, int events, int skus) throws IOException {
        List<String> expected = Timeline.of(seed, events, skus).expectedOutput();
        List<String> actual = TransactionalFileSink.readCommitted(output);
        Map<String, Integer> counts = new HashMap<>();
        actual.forEach(line -> counts.merge(line, 1, Integer::sum));
        Map<String, Integer> expectedCounts = new HashMap<>();
        expected.forEach(line -> expectedCounts.merge(line, 1, Integer::sum));
        long missing = expectedCounts.keySet().stream().filter(e -> !counts.containsKey(e)).count();
        long duplicated = counts.entrySet().stream().filter(e -> e.getValue() > expectedCounts.getOrDefault(e.getKey(), 1)).count();
        long unexpected = counts.keySet().stream().filter(a -> !expectedCounts.containsKey(a)).count();
        return new Result(expected.size(), actual.size(), missing, duplicated, unexpected);
    }
}
