package dev.cairn.api.job;

import java.util.Objects;

/**
 * Where a job starts from: a snapshot directory relative to the storage root (for example
 * {@code my-job/savepoints/before-upgrade} or {@code my-job/chk-42}).
 *
 * @param allowNonRestoredState start even though the snapshot holds an operator or state the job no longer has
 */
public record RestoreSettings(String snapshotPath, ClaimMode claimMode, boolean allowNonRestoredState) {
    public RestoreSettings {
        Objects.requireNonNull(snapshotPath, "snapshotPath");
        Objects.requireNonNull(claimMode, "claimMode");
    }

    public static RestoreSettings noClaim(String snapshotPath) {
        return new RestoreSettings(snapshotPath, ClaimMode.NO_CLAIM, false);
    }

    public static RestoreSettings claim(String snapshotPath) {
        return new RestoreSettings(snapshotPath, ClaimMode.CLAIM, false);
    }

    public RestoreSettings allowingNonRestoredState() {
        return new RestoreSettings(snapshotPath, claimMode, true);
    }
}
