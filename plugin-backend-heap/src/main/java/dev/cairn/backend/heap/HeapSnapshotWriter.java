package dev.cairn.backend.heap;

import dev.cairn.spi.backend.SnapshotOutput;
import dev.cairn.spi.backend.SnapshotRequest;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The asynchronous part of a native heap snapshot: the kernel's section writer writes the key
 * groups changed since the base into one file; unchanged key groups reference the base's
 * sections. A savepoint has no base and writes every key group into a file of its own.
 */
final class HeapSnapshotWriter {

    record Result(KeyGroupSectionsHandle handle, SnapshotLayout layout) {
    }

    private final SnapshotRequest request;
    private final HeapEntries entries;
    private final int[] lastChange;
    private final SnapshotLayout base;

    HeapSnapshotWriter(SnapshotRequest request, HeapEntries entries, int[] lastChange, SnapshotLayout base) {
        this.request = request;
        this.entries = entries;
        this.lastChange = lastChange;
        this.base = base;
    }

    Result write() throws IOException {
        int start = entries.keyGroupRange().start();
        Map<Integer, KeyGroupSection> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new LinkedHashMap<>();
        SnapshotOutput out = null;
        boolean wrote = false;
        boolean committed = false;
        try (entries) {
            out = request.savepoint()
                    ? request.streams().createOwned("heap-keyed.bin")
                    : request.streams().createShared("heap-keyed-" + request.checkpointId() + ".bin");
            for (int local = 0; local < lastChange.length; local++) {
                int kg = start + local;
                if (base != null && lastChange[local] <= base.version()) {
                    KeyGroupSection reused = base.sections().get(kg);
                    if (reused != null) {
                        sections.put(kg, reused);
                        files.put(reused.path(), base.files().get(reused.path()));
                    }
                    continue;
                }
                KeyGroupSection written = request.sections().write(entries, kg, out);
                if (written != null) {
                    sections.put(kg, written);
                    wrote = true;
                }
            }
            if (wrote) {
                FileRef file = out.closeAndGetRef();
                files.put(file.path(), file);
                committed = true;
            }
        } finally {
            if (!committed && out != null) {
                out.close(); // discards the empty or partial file
            }
        }
        KeyGroupSectionsHandle handle = new KeyGroupSectionsHandle(request.sections().format(), entries.keyGroupRange(), entries.states(),
                new ArrayList<>(sections.values()), new ArrayList<>(files.values()));
        return new Result(handle, new SnapshotLayout(entries.version(), sections, files));
    }
}
