package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.snapshot.SnapshotFormat;
import java.util.Arrays;

/** The kernel's own section format: the framed entries as they are. */
public final class FullFormat implements SnapshotFormat {

    public static final FullFormat INSTANCE = new FullFormat();

    private FullFormat() {
    }

    @Override
    public String name() {
        return FULL;
    }

    @Override
    public byte[] encode(byte[] plain, int length) {
        return Arrays.copyOf(plain, length);
    }

    @Override
    public byte[] decode(byte[] stored) {
        return stored;
    }
}
