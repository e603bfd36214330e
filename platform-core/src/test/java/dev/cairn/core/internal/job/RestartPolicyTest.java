package dev.cairn.core.internal.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cairn.api.job.RestartStrategy;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The strategies' decisions on a clock the test moves, so nothing waits. */
class RestartPolicyTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private RestartPolicy policy(RestartStrategy strategy) {
        return new RestartPolicy(strategy, now::get);
    }

    private void pass(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private static Optional<Duration> after(long millis) {
        return Optional.of(Duration.ofMillis(millis));
    }

    @Test
    void fixedDelayRestartsAtMostMaxRestartsTimesOverTheJobsLife() {
        RestartPolicy p = policy(RestartStrategy.fixedDelay(2, Duration.ofMillis(50)));
        assertThat(p.onFailure()).isEqualTo(after(50));
        pass(Duration.ofDays(30)); // fixed delay never forgets
        assertThat(p.onFailure()).isEqualTo(after(50));
        assertThat(p.onFailure()).isEmpty();
        assertThat(p.limit()).isEqualTo("2 of job.max-restarts=2 restarts used");
    }

    @Test
    void exponentialDelayGrowsToItsCapAndStartsOverAfterAQuietPeriod() {
        RestartPolicy p = policy(RestartStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofMillis(500), 2.0,
                Duration.ofMinutes(10), 6));
        assertThat(p.onFailure()).isEqualTo(after(100));
        pass(Duration.ofMinutes(9)); // not yet quiet long enough
        assertThat(p.onFailure()).isEqualTo(after(200));
        assertThat(p.onFailure()).isEqualTo(after(400));
        assertThat(p.onFailure()).isEqualTo(after(500));
        assertThat(p.onFailure()).isEqualTo(after(500));
        pass(Duration.ofMinutes(10)); // the 500 ms pause is not running time: not yet ten minutes without failing
        assertThat(p.onFailure()).isEqualTo(after(500));
        pass(Duration.ofMinutes(10).plusMillis(500)); // ran ten minutes after its restart
        assertThat(p.onFailure()).isEqualTo(after(100));
        assertThat(p.onFailure()).isEqualTo(after(200));
    }

    @Test
    void exponentialDelayFailsTheJobAfterMaxRestartsSinceTheLastStartOver() {
        RestartPolicy p = policy(RestartStrategy.exponentialDelay(Duration.ofMillis(10), Duration.ofSeconds(1), 3.0,
                Duration.ofMinutes(1), 3));
        assertThat(p.onFailure()).isEqualTo(after(10));
        assertThat(p.onFailure()).isEqualTo(after(30));
        pass(Duration.ofMinutes(1).plusMillis(30));
        assertThat(p.onFailure()).as("the count starts over too").isEqualTo(after(10));
        assertThat(p.onFailure()).isEqualTo(after(30));
        assertThat(p.onFailure()).isEqualTo(after(90));
        pass(Duration.ofSeconds(59));
        assertThat(p.onFailure()).isEmpty();
        assertThat(p.limit()).startsWith("3 of job.max-restarts=3 restarts used");
    }

    @Test
    void failureRateFailsTheJobWhenMoreThanMaxFailuresFallWithinOneInterval() {
        RestartPolicy p = policy(RestartStrategy.failureRate(2, Duration.ofMinutes(1), Duration.ofMillis(20)));
        assertThat(p.onFailure()).isEqualTo(after(20));
        pass(Duration.ofSeconds(40));
        assertThat(p.onFailure()).isEqualTo(after(20));
        pass(Duration.ofSeconds(20)); // the first failure is a minute old now: out of the window
        assertThat(p.onFailure()).isEqualTo(after(20));
        pass(Duration.ofSeconds(10)); // the last three within 30 s
        assertThat(p.onFailure()).isEmpty();
        assertThat(p.limit()).isEqualTo("3 failures within job.restart-failure-interval=PT1M (job.max-restarts=2)");
    }
}
