package dev.cairn.core.internal.job;

import dev.cairn.api.job.RestartStrategy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A job's {@link RestartStrategy} applied to its failures as they come: whether the job restarts
 * and after which pause. Time comes from a clock of nanoseconds, so the decisions can be tested
 * without waiting.
 */
final class RestartPolicy {
    private final RestartStrategy strategy;
    private final LongSupplier nanoClock;
    /** Restarts since the job started (fixed delay) or since the last start-over (exponential delay). */
    private int restarts;
    /** When the last restart began running (its failure plus its pause); nothing before the first. */
    private long lastRestart = Long.MIN_VALUE;
    /** Failure-rate: the times of the failures that may still fall within one interval with the next. */
    private final ArrayDeque<Long> recentFailures = new ArrayDeque<>();

    RestartPolicy(RestartStrategy strategy, LongSupplier nanoClock) {
        this.strategy = strategy;
        this.nanoClock = nanoClock;
    }

    /** A task failed now: the pause before the restart, or empty when the job must fail. */
    Optional<Duration> onFailure() {
        long now = nanoClock.getAsLong();
        if (strategy instanceof RestartStrategy.FixedDelay fixed) {
            return restarts < fixed.maxRestarts() ? restart(now, fixed.delay()) : Optional.empty();
        }
        if (strategy instanceof RestartStrategy.ExponentialDelay exponential) {
            // the pause is not running time: the job must have run resetAfter since it restarted (as Flink counts)
            if (lastRestart != Long.MIN_VALUE && now - lastRestart >= exponential.resetAfter().toNanos()) {
                restarts = 0; // back to the first pause, the restarts counted anew
            }
            return restarts < exponential.maxRestarts() ? restart(now, exponential.delayBefore(restarts + 1)) : Optional.empty();
        }
        RestartStrategy.FailureRate rate = (RestartStrategy.FailureRate) strategy;
        recentFailures.addLast(now);
        while (now - recentFailures.peekFirst() >= rate.interval().toNanos()) {
            recentFailures.removeFirst();
        }
        return recentFailures.size() <= rate.maxFailures() ? restart(now, rate.delay()) : Optional.empty();
    }

    private Optional<Duration> restart(long now, Duration pause) {
        restarts++;
        lastRestart = now + pause.toNanos();
        return Optional.of(pause);
    }

    /** How much of what the strategy allows is used, for the log. */
    String limit() {
        if (strategy instanceof RestartStrategy.FixedDelay fixed) {
            return restarts + " of job.max-restarts=" + fixed.maxRestarts() + " restarts used";
        }
        if (strategy instanceof RestartStrategy.ExponentialDelay exponential) {
            return restarts + " of job.max-restarts=" + exponential.maxRestarts() + " restarts used since the job last ran "
                    + exponential.resetAfter() + " without failing";
        }
        RestartStrategy.FailureRate rate = (RestartStrategy.FailureRate) strategy;
        return recentFailures.size() + " failures within job.restart-failure-interval=" + rate.interval() + " (job.max-restarts="
                + rate.maxFailures() + ")";
    }
}
