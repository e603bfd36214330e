package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.storage.StoragePaths;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Checks every file a snapshot references, and every key-group section in them, against the
 * sizes and CRC32C checksums its metadata records. Each file is streamed once: the whole-file
 * checksum and those of the sections inside it are computed in the same pass.
 */
final class SnapshotVerifier {

    private static final int CHUNK = 1 << 20;

    /** What a verification found: problems (each naming the file), and what it read. */
    record Report(List<String> problems, int files, long bytes, int sections, long nanos) {
        boolean intact() {
            return problems.isEmpty();
        }
    }

    private final OpenedSnapshot opened;
    private final Map<String, FileRef> files = new TreeMap<>();
    private final Map<String, List<KeyGroupSection>> sections = new TreeMap<>();
    private final List<String> problems = new ArrayList<>();

    SnapshotVerifier(OpenedSnapshot opened) {
        this.opened = opened;
    }

    Report verify() throws IOException {
        long start = System.nanoTime();
        collect();
        long bytes = 0;
        int sectionCount = 0;
        List<String> paths = new ArrayList<>(files.keySet());
        sections.keySet().stream().filter(p -> !files.containsKey(p)).forEach(paths::add);
        for (String path : paths) {
            List<KeyGroupSection> inFile = sections.getOrDefault(path, List.of());
            sectionCount += inFile.size();
            bytes += check(path, files.get(path), inFile);
        }
        return new Report(List.copyOf(problems), paths.size(), bytes, sectionCount, System.nanoTime() - start);
    }

    private void collect() {
        for (SnapshotMetadata.OperatorSnapshot op : opened.metadata().operators()) {
            for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                if (st.operatorState() != null) {
                    file(st.operatorState().file());
                }
                if (st.inFlight() != null) {
                    file(st.inFlight().file());
                }
                if (st.keyedState() != null) {
                    keyed(st.keyedState());
                }
            }
        }
        sections.values().forEach(list -> list.sort(Comparator.comparingLong(KeyGroupSection::offset)));
    }

    private void keyed(KeyedStateHandle handle) {
        handle.storedFiles().forEach(this::file);
        if (handle instanceof KeyGroupSectionsHandle h) {
            h.sections().forEach(this::section);
        } else if (handle instanceof ChangelogHandle h) {
            h.changes().forEach(this::section);
            h.materialized().forEach(this::keyed);
        }
    }

    private void file(FileRef f) {
        FileRef known = files.putIfAbsent(f.path(), f);
        if (known != null && (known.size() != f.size() || known.crc32c() != f.crc32c())) {
            problems.add(opened.describe(f.path()) + ": the metadata records it twice, as " + known.size() + " bytes with CRC32C "
                    + hex(known.crc32c()) + " and as " + f.size() + " bytes with CRC32C " + hex(f.crc32c()));
        }
    }

    private void section(KeyGroupSection s) {
        List<KeyGroupSection> list = sections.computeIfAbsent(s.path(), p -> new ArrayList<>());
        if (!list.contains(s)) {
            list.add(s);
        }
    }

    /** Streams one file, checking it and its sections; returns the bytes read. */
    private long check(String path, FileRef expected, List<KeyGroupSection> inFile) throws IOException {
        String shown = opened.describe(path);
        CRC32C whole = new CRC32C();
        CRC32C[] sectionCrcs = new CRC32C[inFile.size()];
        for (int i = 0; i < sectionCrcs.length; i++) {
            sectionCrcs[i] = new CRC32C();
        }
        long position = 0;
        try (InputStream in = open(path)) {
            byte[] buffer = new byte[CHUNK];
            int first = 0; // sections before this one ended before the current chunk
            for (int n; (n = in.read(buffer)) > 0; position += n) {
                whole.update(buffer, 0, n);
                long end = position + n;
                while (first < inFile.size() && inFile.get(first).offset() + inFile.get(first).length() <= position) {
                    first++;
                }
                for (int i = first; i < inFile.size() && inFile.get(i).offset() < end; i++) {
                    KeyGroupSection s = inFile.get(i);
                    long from = Math.max(s.offset(), position);
                    long to = Math.min(s.offset() + s.length(), end);
                    if (to > from) {
                        sectionCrcs[i].update(buffer, (int) (from - position), (int) (to - from));
                    }
                }
            }
        } catch (NoSuchFileException e) {
            problems.add(shown + ": missing" + (expected == null ? "" : " (" + expected.size() + " bytes, CRC32C " + hex(expected.crc32c()) + ")"));
            return 0;
        }
        if (expected != null) {
            if (position != expected.size()) {
                problems.add(shown + ": " + (position < expected.size() ? "truncated" : "longer than recorded") + ", " + position
                        + " bytes where the metadata records " + expected.size());
            } else if (whole.getValue() != expected.crc32c()) {
                problems.add(shown + ": damaged, CRC32C " + hex(whole.getValue()) + " where the metadata records " + hex(expected.crc32c()));
            }
        }
        for (int i = 0; i < inFile.size(); i++) {
            KeyGroupSection s = inFile.get(i);
            String what = shown + ": key group " + s.keyGroup() + " (bytes " + s.offset() + ".." + (s.offset() + s.length()) + ")";
            if (s.offset() + s.length() > position) {
                problems.add(what + " lies past the end of the file (" + position + " bytes)");
            } else if (sectionCrcs[i].getValue() != s.crc32c()) {
                problems.add(what + " has CRC32C " + hex(sectionCrcs[i].getValue()) + " where the metadata records " + hex(s.crc32c()));
            }
        }
        return position;
    }

    private InputStream open(String path) throws IOException {
        byte[] inlined = opened.metadata().inlined().get(path);
        if (inlined != null) {
            return new ByteArrayInputStream(inlined);
        }
        return opened.storage().open(opened.snapshot().resolve(StoragePaths.requireRelative(path)));
    }

    static String hex(long crc) {
        return String.format(Locale.ROOT, "%08x", crc);
    }
}
