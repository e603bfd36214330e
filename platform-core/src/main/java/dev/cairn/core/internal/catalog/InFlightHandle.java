package dev.cairn.core.internal.catalog;

import dev.cairn.spi.snapshot.FileRef;

/**
 * The records an unaligned checkpoint found queued before a subtask's input barriers: one file,
 * replayed into the subtask's input before anything else on restore.
 */
public record InFlightHandle(FileRef file, long records) {
}
