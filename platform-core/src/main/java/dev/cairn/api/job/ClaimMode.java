package dev.cairn.api.job;

/** Who owns the snapshot a job is restored from (Flink's restore modes). */
public enum ClaimMode {
    /** The job never deletes or references it after its first checkpoint, which is full. */
    NO_CLAIM,
    /** The platform takes it over and deletes it once newer checkpoints subsume it. */
    CLAIM
}
