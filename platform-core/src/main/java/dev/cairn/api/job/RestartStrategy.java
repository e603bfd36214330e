package dev.cairn.api.job;

import java.time.Duration;
import java.util.Objects;

/**
 * What a job does after a task failure: restart from its last completed checkpoint after a pause,
 * or fail. The three strategies Flink offers, with the same meaning; the platform's properties
 * are {@code job.restart-strategy} and the {@code job.restart-*} settings each one reads.
 */
public sealed interface RestartStrategy permits RestartStrategy.FixedDelay, RestartStrategy.ExponentialDelay,
        RestartStrategy.FailureRate {

    /** At most {@code maxRestarts} restarts in the job's life, each after {@code delay}. */
    static FixedDelay fixedDelay(int maxRestarts, Duration delay) {
        return new FixedDelay(maxRestarts, delay);
    }

    /**
     * Pauses from {@code initialDelay}, each {@code multiplier} times the one before, up to
     * {@code maxDelay}. A job that ran {@code resetAfter} since its last failure starts over: the
     * next pause is {@code initialDelay} again and its restarts are counted anew. The job fails
     * when a failure would be restart {@code maxRestarts + 1} since the last start-over.
     */
    static ExponentialDelay exponentialDelay(Duration initialDelay, Duration maxDelay, double multiplier, Duration resetAfter,
                                             int maxRestarts) {
        return new ExponentialDelay(initialDelay, maxDelay, multiplier, resetAfter, maxRestarts);
    }

    /** Restarts after {@code delay} as long as no more than {@code maxFailures} failures fall within any {@code interval}. */
    static FailureRate failureRate(int maxFailures, Duration interval, Duration delay) {
        return new FailureRate(maxFailures, interval, delay);
    }

    /** See {@link RestartStrategy#fixedDelay}. */
    record FixedDelay(int maxRestarts, Duration delay) implements RestartStrategy {
        public FixedDelay {
            requireAtLeastZero("job.max-restarts", maxRestarts);
            requireNotNegative("job.restart-delay", delay);
        }
    }

    /** See {@link RestartStrategy#exponentialDelay}. */
    record ExponentialDelay(Duration initialDelay, Duration maxDelay, double multiplier, Duration resetAfter, int maxRestarts)
            implements RestartStrategy {
        public ExponentialDelay {
            requireNotNegative("job.restart-delay", initialDelay);
            requireNotNegative("job.restart-max-delay", maxDelay);
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("job.restart-max-delay=" + text(maxDelay) + " is not allowed: use a duration >= job.restart-delay ("
                        + text(initialDelay) + ")");
            }
            if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("job.restart-backoff-multiplier=" + multiplier + " is not allowed: use a number >= 1");
            }
            Objects.requireNonNull(resetAfter, "resetAfter");
            if (resetAfter.isNegative() || resetAfter.isZero()) {
                throw new IllegalArgumentException("job.restart-reset-after=" + text(resetAfter) + " is not allowed: use a duration > 0");
            }
            requireAtLeastZero("job.max-restarts", maxRestarts);
        }

        /** The pause before restart {@code n} (1, 2, …) since the last start-over. */
        public Duration delayBefore(int n) {
            double millis = initialDelay.toMillis() * Math.pow(multiplier, n - 1);
            return millis >= maxDelay.toMillis() ? maxDelay : Duration.ofMillis((long) millis);
        }
    }

    /** See {@link RestartStrategy#failureRate}. */
    record FailureRate(int maxFailures, Duration interval, Duration delay) implements RestartStrategy {
        public FailureRate {
            requireAtLeastZero("job.max-restarts", maxFailures);
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("job.restart-failure-interval=" + text(interval) + " is not allowed: use a duration > 0");
            }
            requireNotNegative("job.restart-delay", delay);
        }
    }

    private static void requireAtLeastZero(String property, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(property + "=" + value + " is not allowed: use an integer >= 0");
        }
    }

    private static void requireNotNegative(String property, Duration value) {
        Objects.requireNonNull(value, property);
        if (value.isNegative()) {
            throw new IllegalArgumentException(property + "=" + text(value) + " is not allowed: use a duration >= 0");
        }
    }

    /** A duration as the platform's properties write it: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
    private static String text(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 != 0 || millis == 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        return seconds % 3600 == 0 ? seconds / 3600 + "h" : seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
