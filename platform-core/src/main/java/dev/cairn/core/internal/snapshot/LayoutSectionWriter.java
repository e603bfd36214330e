package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionWriter;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.IOException;
import java.util.Arrays;

/** Writes key groups as sections of the shared layout in one format. Used by one thread at a time. */
public final class LayoutSectionWriter implements KeyGroupSectionWriter {

    private final SnapshotFormat format;
    private final SectionBuilder builder = new SectionBuilder(64 * 1024);
    private final SectionBuilder removals = new SectionBuilder(1024);

    public LayoutSectionWriter(SnapshotFormat format) {
        this.format = format;
    }

    @Override
    public String format() {
        return format.name();
    }

    @Override
    public KeyGroupSection write(KeyGroupEntries entries, int keyGroup, SnapshotOutput out) throws IOException {
        builder.reset();
        entries.read(keyGroup, builder);
        if (builder.isEmpty()) {
            return null;
        }
        builder.finish();
        return store(builder.buffer(), builder.length(), keyGroup, out);
    }

    @Override
    public KeyGroupSection writeDelta(KeyGroupChanges changes, int keyGroup, SnapshotOutput out) throws IOException {
        removals.reset();
        changes.readRemoved(keyGroup, removals::removed);
        builder.reset();
        changes.readChanged(keyGroup, builder);
        if (removals.isEmpty() && builder.isEmpty()) {
            return null;
        }
        removals.finish();
        builder.finish();
        byte[] plain = Arrays.copyOf(removals.buffer(), removals.length() + builder.length());
        System.arraycopy(builder.buffer(), 0, plain, removals.length(), builder.length());
        return store(plain, plain.length, keyGroup, out);
    }

    private KeyGroupSection store(byte[] plain, int length, int keyGroup, SnapshotOutput out) throws IOException {
        byte[] stored = format.encode(plain, length);
        out.beginSection();
        out.write(stored);
        return out.endSection(keyGroup);
    }
}
