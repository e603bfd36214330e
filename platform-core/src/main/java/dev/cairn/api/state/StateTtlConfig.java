package dev.cairn.api.state;

import java.time.Duration;
import java.util.Objects;

/**
 * Time-to-live of state values, in processing time. Expired values are never returned (unless
 * {@link Visibility#RETURN_EXPIRED_IF_NOT_CLEANED_UP}), and are dropped when a full snapshot is
 * written ({@link Builder#cleanupFullSnapshot()}), a few entries at a time on every access
 * ({@link Builder#cleanupIncrementally(int)}) and, on RocksDB, while it compacts its files
 * ({@link Builder#cleanupInRocksdbCompactFilter(long, Duration)}).
 */
public final class StateTtlConfig {

    /** When the timestamp of a value is refreshed. */
    public enum UpdateType { ON_CREATE_AND_WRITE, ON_READ_AND_WRITE }

    public enum Visibility { NEVER_RETURN_EXPIRED, RETURN_EXPIRED_IF_NOT_CLEANED_UP }

    public static final StateTtlConfig DISABLED = new StateTtlConfig(null, UpdateType.ON_CREATE_AND_WRITE,
            Visibility.NEVER_RETURN_EXPIRED, false, 0, 0, Duration.ZERO);

    /** Flink's defaults for compaction-time cleanup: the clock read every 1,000 entries, files rewritten after 30 days. */
    public static final long DEFAULT_COMPACTION_QUERY_TIME_AFTER_ENTRIES = 1000;
    public static final Duration DEFAULT_PERIODIC_COMPACTION = Duration.ofDays(30);

    private final Duration ttl;
    private final UpdateType updateType;
    private final Visibility visibility;
    private final boolean cleanupFullSnapshot;
    private final int incrementalCleanupSize;
    private final long compactionQueryTimeAfterEntries;
    private final Duration periodicCompaction;

    private StateTtlConfig(Duration ttl, UpdateType updateType, Visibility visibility,
                           boolean cleanupFullSnapshot, int incrementalCleanupSize,
                           long compactionQueryTimeAfterEntries, Duration periodicCompaction) {
        this.ttl = ttl;
        this.updateType = updateType;
        this.visibility = visibility;
        this.cleanupFullSnapshot = cleanupFullSnapshot;
        this.incrementalCleanupSize = incrementalCleanupSize;
        this.compactionQueryTimeAfterEntries = compactionQueryTimeAfterEntries;
        this.periodicCompaction = periodicCompaction;
    }

    public static Builder newBuilder(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("TTL must be positive, was " + ttl);
        }
        return new Builder(ttl);
    }

    public boolean isEnabled() {
        return ttl != null;
    }

    public Duration getTtl() {
        return ttl;
    }

    public UpdateType getUpdateType() {
        return updateType;
    }

    public Visibility getVisibility() {
        return visibility;
    }

    public boolean isCleanupFullSnapshot() {
        return cleanupFullSnapshot;
    }

    /** How many entries to check per state access; 0 means no incremental cleanup. */
    public int getIncrementalCleanupSize() {
        return incrementalCleanupSize;
    }

    /** Whether RocksDB drops expired entries while it compacts (other backends ignore it). */
    public boolean isCleanupInRocksdbCompactFilter() {
        return compactionQueryTimeAfterEntries > 0;
    }

    /** How many entries a compaction judges with one reading of the clock; 0 when compaction-time cleanup is off. */
    public long getCompactionQueryTimeAfterEntries() {
        return compactionQueryTimeAfterEntries;
    }

    /** How old a RocksDB file may get before it is compacted only to drop what expired; zero for never. */
    public Duration getPeriodicCompaction() {
        return periodicCompaction;
    }

    public static final class Builder {
        private final Duration ttl;
        private UpdateType updateType = UpdateType.ON_CREATE_AND_WRITE;
        private Visibility visibility = Visibility.NEVER_RETURN_EXPIRED;
        private boolean cleanupFullSnapshot;
        private int incrementalCleanupSize;
        private long compactionQueryTimeAfterEntries;
        private Duration periodicCompaction = Duration.ZERO;

        private Builder(Duration ttl) {
            this.ttl = ttl;
        }

        public Builder setUpdateType(UpdateType updateType) {
            this.updateType = Objects.requireNonNull(updateType);
            return this;
        }

        public Builder setStateVisibility(Visibility visibility) {
            this.visibility = Objects.requireNonNull(visibility);
            return this;
        }

        public Builder cleanupFullSnapshot() {
            this.cleanupFullSnapshot = true;
            return this;
        }

        public Builder cleanupIncrementally(int entriesPerAccess) {
            if (entriesPerAccess <= 0) {
                throw new IllegalArgumentException("entriesPerAccess must be positive, was " + entriesPerAccess);
            }
            this.incrementalCleanupSize = entriesPerAccess;
            return this;
        }

        /** Compaction-time cleanup with Flink's defaults (see {@link #cleanupInRocksdbCompactFilter(long, Duration)}). */
        public Builder cleanupInRocksdbCompactFilter() {
            return cleanupInRocksdbCompactFilter(DEFAULT_COMPACTION_QUERY_TIME_AFTER_ENTRIES, DEFAULT_PERIODIC_COMPACTION);
        }

        /**
         * RocksDB drops expired values, map entries and the expired head of lists while it compacts
         * its files, so state nobody reads again still goes. Reading the clock costs a call from the
         * compaction into Java: {@code queryTimeAfterEntries} entries share one reading. Files that
         * no compaction touches are rewritten once older than {@code periodicCompaction} (zero: never).
         */
        public Builder cleanupInRocksdbCompactFilter(long queryTimeAfterEntries, Duration periodicCompaction) {
            if (queryTimeAfterEntries <= 0) {
                throw new IllegalArgumentException("queryTimeAfterEntries must be positive, was " + queryTimeAfterEntries);
            }
            if (Objects.requireNonNull(periodicCompaction, "periodicCompaction").isNegative()) {
                throw new IllegalArgumentException("periodicCompaction must not be negative, was " + periodicCompaction);
            }
            this.compactionQueryTimeAfterEntries = queryTimeAfterEntries;
            this.periodicCompaction = periodicCompaction;
            return this;
        }

        public StateTtlConfig build() {
            return new StateTtlConfig(ttl, updateType, visibility, cleanupFullSnapshot, incrementalCleanupSize,
                    compactionQueryTimeAfterEntries, periodicCompaction);
        }
    }
}
