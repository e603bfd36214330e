package dev.cairn.api.state;

import java.time.Duration;
import java.util.Objects;

/**
 * Time-to-live of state values, in processing time. Expired values are never returned (unless
 * {@link Visibility#RETURN_EXPIRED_IF_NOT_CLEANED_UP}), and are dropped when a full snapshot is
 * written ({@link Builder#cleanupFullSnapshot()}) and a few entries at a time on every access
 * ({@link Builder#cleanupIncrementally(int)}).
 */
public final class StateTtlConfig {

    /** When the timestamp of a value is refreshed. */
    public enum UpdateType { ON_CREATE_AND_WRITE, ON_READ_AND_WRITE }

    public enum Visibility { NEVER_RETURN_EXPIRED, RETURN_EXPIRED_IF_NOT_CLEANED_UP }

    public static final StateTtlConfig DISABLED = new StateTtlConfig(null, UpdateType.ON_CREATE_AND_WRITE,
            Visibility.NEVER_RETURN_EXPIRED, false, 0);

    private final Duration ttl;
    private final UpdateType updateType;
    private final Visibility visibility;
    private final boolean cleanupFullSnapshot;
    private final int incrementalCleanupSize;

    private StateTtlConfig(Duration ttl, UpdateType updateType, Visibility visibility,
                           boolean cleanupFullSnapshot, int incrementalCleanupSize) {
        this.ttl = ttl;
        this.updateType = updateType;
        this.visibility = visibility;
        this.cleanupFullSnapshot = cleanupFullSnapshot;
        this.incrementalCleanupSize = incrementalCleanupSize;
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

    public static final class Builder {
        private final Duration ttl;
        private UpdateType updateType = UpdateType.ON_CREATE_AND_WRITE;
        private Visibility visibility = Visibility.NEVER_RETURN_EXPIRED;
        private boolean cleanupFullSnapshot;
        private int incrementalCleanupSize;

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

        public StateTtlConfig build() {
            return new StateTtlConfig(ttl, updateType, visibility, cleanupFullSnapshot, incrementalCleanupSize);
        }
    }
}
