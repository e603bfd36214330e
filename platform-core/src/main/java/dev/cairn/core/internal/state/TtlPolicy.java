package dev.cairn.core.internal.state;

import dev.cairn.api.state.StateTtlConfig;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.TtlCompactionCleanup;
import java.util.function.LongSupplier;

/** One state's TTL rules against one processing-time clock. */
final class TtlPolicy {
    private final StateTtlConfig config;
    private final LongSupplier clock;
    private final long ttlMillis;

    TtlPolicy(StateTtlConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.ttlMillis = config.getTtl().toMillis();
    }

    long now() {
        return clock.getAsLong();
    }

    boolean expired(TtlValue<?> v) {
        return v.timestamp() + ttlMillis <= clock.getAsLong();
    }

    boolean refreshOnRead() {
        return config.getUpdateType() == StateTtlConfig.UpdateType.ON_READ_AND_WRITE;
    }

    boolean returnExpired() {
        return config.getVisibility() == StateTtlConfig.Visibility.RETURN_EXPIRED_IF_NOT_CLEANED_UP;
    }

    int cleanupSize() {
        return config.getIncrementalCleanupSize();
    }

    ElementFilter liveFilter() {
        return e -> !expired((TtlValue<?>) e);
    }

    ElementFilter snapshotFilter() {
        return config.isCleanupFullSnapshot() ? liveFilter() : null;
    }

    TtlCompactionCleanup compactionCleanup() {
        return config.isCleanupInRocksdbCompactFilter()
                ? new TtlCompactionCleanup(Math.max(1, ttlMillis), clock, config.getCompactionQueryTimeAfterEntries(), config.getPeriodicCompaction())
                : null;
    }

    ElementFilter cleanupFilter() {
        return config.getIncrementalCleanupSize() > 0 ? liveFilter() : null;
    }
}
