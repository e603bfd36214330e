package dev.cairn.core.internal.task;

import dev.cairn.core.internal.catalog.CompletedSnapshot;

/**
 * What an attempt restores from.
 *
 * @param baseReusable          the next incremental checkpoint may reference its files
 * @param allowNonRestoredState state in it that the job does not have is dropped instead of failing
 */
public record RestorePoint(CompletedSnapshot snapshot, boolean baseReusable, boolean allowNonRestoredState) {
}
