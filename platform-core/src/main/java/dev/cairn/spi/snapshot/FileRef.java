package dev.cairn.spi.snapshot;

/** A whole file of a snapshot: path relative to the snapshot's base, size and CRC32C. */
public record FileRef(String path, long size, long crc32c) {
}
