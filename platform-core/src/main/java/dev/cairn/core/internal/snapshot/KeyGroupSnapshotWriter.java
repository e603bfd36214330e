package dev.cairn.core.internal.snapshot;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotStreams;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a full or canonical snapshot of one subtask's keyed state: every key group of the view
 * a backend captured, in order, as sections of one file. This is the only writer of whole
 * snapshots in the shared layout, whichever backend the entries come from.
 */
public final class KeyGroupSnapshotWriter {

    private KeyGroupSnapshotWriter() {
    }

    /** Writes {@code entries} and releases them. */
    public static KeyGroupSectionsHandle write(KeyGroupEntries entries, KeyGroupRange range, SnapshotFormat format,
                                               SnapshotStreams streams) throws IOException {
        List<StateMetaInfo> states = entries.states();
        LayoutSectionWriter writer = new LayoutSectionWriter(format);
        List<KeyGroupSection> sections = new ArrayList<>();
        List<FileRef> files = new ArrayList<>();
        SnapshotOutput out = null;
        boolean committed = false;
        try (entries) {
            for (int kg = range.start(); kg <= range.end(); kg++) {
                if (out == null) {
                    out = streams.createOwned("keyed-" + format.name() + ".bin");
                }
                KeyGroupSection s = writer.write(entries, kg, out);
                if (s != null) {
                    sections.add(s);
                }
            }
            if (out != null && !sections.isEmpty()) {
                files.add(out.closeAndGetRef());
                committed = true;
            }
        } finally {
            if (!committed && out != null) {
                out.close(); // discards the empty or partial file
            }
        }
        return new KeyGroupSectionsHandle(format.name(), range, states, sections, files);
    }
}
