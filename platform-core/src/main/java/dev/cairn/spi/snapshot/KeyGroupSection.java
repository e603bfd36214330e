package dev.cairn.spi.snapshot;

/** The bytes of one key group inside a state file, so that a rescaled restore reads only its groups. */
public record KeyGroupSection(int keyGroup, String path, long offset, long length, long crc32c) {
}
