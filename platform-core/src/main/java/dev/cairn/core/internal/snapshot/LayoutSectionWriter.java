package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionWriter;
import dev.cairn.spi.snapshot.SnapshotFormat;
import java.io.IOException;

/** Writes key groups as sections of the shared layout in one format. Used by one thread at a time. */
public final class LayoutSectionWriter implements KeyGroupSectionWriter {

    private final SnapshotFormat format;
    private final SectionBuilder builder = new SectionBuilder(64 * 1024);

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
        byte[] stored = format.encode(builder.buffer(), builder.length());
        out.beginSection();
        out.write(stored);
        return out.endSection(keyGroup);
    }
}
