package dev.cairn.tools.state;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.catalog.StorageSnapshotReader;
import dev.cairn.core.internal.job.ServiceLoaderPluginRegistry;
import dev.cairn.core.internal.snapshot.SectionsRestoreContext;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.SnapshotReader;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The keyed state of one operator in a snapshot, over the key groups asked for, read key group by
 * key group as backend-neutral entries. Key-group sections (full or canonical) are read and
 * merged by the kernel's restore code, only the sections of the key groups asked for; a backend's
 * native files are restored into that backend in a scratch directory (the stored files copied,
 * never linked, so the input cannot change) and read back through the view it gives the kernel
 * for a canonical snapshot.
 */
final class OperatorKeyedState implements AutoCloseable {

    /** One source of entries: its key groups, and its state indexes mapped onto {@link #states()}. */
    private record Part(KeyGroupRange range, KeyGroupEntries entries, int[] stateMap) {
    }

    private final String uid;
    private final TypeSerializer<?> keySerializer;
    private final int maxParallelism;
    private final List<StateMetaInfo> states = new ArrayList<>();
    private final List<Part> parts = new ArrayList<>();
    private final List<KeyedStateBackend<?>> backends = new ArrayList<>();
    private final AtomicLong bytesRead = new AtomicLong();
    private final List<ScratchDirectory> scratch = new ArrayList<>();
    private SnapshotFormats formats;
    private SnapshotReader reader;
    private final List<KeyedStateHandle> sectionHandles = new ArrayList<>();
    private int sectionsRead;

    private OperatorKeyedState(String uid, TypeSerializer<?> keySerializer, int maxParallelism) {
        this.uid = uid;
        this.keySerializer = keySerializer;
        this.maxParallelism = maxParallelism;
    }

    /** The operator {@code uid} of the snapshot, or a one-line error naming the operators it has. */
    static SnapshotMetadata.OperatorSnapshot operator(OpenedSnapshot opened, String uid) throws ToolException {
        SnapshotMetadata.OperatorSnapshot op = opened.metadata().operator(uid);
        if (op == null) {
            throw new ToolException(opened.location() + " has no operator '" + uid + "' (operators: "
                    + String.join(", ", opened.metadata().operators().stream().map(SnapshotMetadata.OperatorSnapshot::uid).toList()) + ")");
        }
        if (op.subtasks().stream().allMatch(st -> st.keyedState() == null)) {
            throw new ToolException("operator '" + uid + "' has no keyed state in " + opened.location()
                    + " (operators with keyed state: " + String.join(", ", opened.metadata().operators().stream()
                    .filter(o -> o.subtasks().stream().anyMatch(st -> st.keyedState() != null))
                    .map(SnapshotMetadata.OperatorSnapshot::uid).toList()) + ")");
        }
        if (op.keySerializer() == null) {
            throw new ToolException("the snapshot does not record the key serializer of operator '" + uid
                    + "' (it was taken by an older Cairn): its keys cannot be decoded offline");
        }
        return op;
    }

    /** Opens the key groups {@code wanted} of operator {@code uid}; user types come from {@code loader}. */
    static OperatorKeyedState open(OpenedSnapshot opened, String uid, KeyGroupRange wanted, ClassLoader loader)
            throws ToolException, IOException {
        SnapshotMetadata.OperatorSnapshot op = operator(opened, uid);
        TypeSerializer<?> keySerializer = StateDecoder.restore(op.keySerializer(), "the key", uid, loader);
        OperatorKeyedState state = new OperatorKeyedState(uid, keySerializer, opened.metadata().maxParallelism());
        try {
            state.openParts(opened, op, wanted, loader);
        } catch (ToolException | IOException | RuntimeException e) {
            state.close();
            throw e;
        }
        return state;
    }

    private void openParts(OpenedSnapshot opened, SnapshotMetadata.OperatorSnapshot op, KeyGroupRange wanted, ClassLoader loader)
            throws ToolException, IOException {
        reader = new CountingReader(new StorageSnapshotReader(opened.storage(), opened.snapshot()));
        formats = installedFormats(loader);
        List<KeyedStateHandle> sections = new ArrayList<>();
        for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
            KeyedStateHandle h = st.keyedState();
            if (h == null || h.keyGroupRange().intersect(wanted).isEmpty()) {
                continue;
            }
            if (h instanceof KeyGroupSectionsHandle s) {
                formats.require(s.format());
                sections.add(h);
            } else if (h instanceof NativeFilesHandle n) {
                openNative(opened.metadata().jobName(), n, st.index(), reader, formats, h.keyGroupRange().intersect(wanted), loader);
            } else {
                throw new ToolException("subtask " + st.index() + " of operator '" + uid + "' is stored as a changelog over "
                        + ((ChangelogHandle) h).backend() + ", which is not read offline yet: take a savepoint of the job"
                        + " (canonical or native) and read that");
            }
        }
        sectionHandles.addAll(sections);
        if (!sections.isEmpty()) {
            KeyGroupEntries entries = new SectionsRestoreContext(sections, reader, false, wanted, maxParallelism, maxParallelism,
                    keySerializer, formats).entries();
            parts.add(new Part(wanted, entries, mapStates(entries.states())));
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void openNative(String job, NativeFilesHandle handle, int subtask, SnapshotReader reader, SnapshotFormats formats, KeyGroupRange range,
                            ClassLoader loader) throws ToolException, IOException {
        StateBackend backend = new ServiceLoaderPluginRegistry(StateBackend.class.getClassLoader()).backend(handle.backend())
                .or(() -> new ServiceLoaderPluginRegistry(loader).backend(handle.backend()))
                .orElseThrow(() -> new ToolException("subtask " + subtask + " of operator '" + uid + "' is stored in "
                        + handle.backend() + "'s own files, and no " + handle.backend() + " backend is on the tool's class path"));
        ScratchDirectory work = new ScratchDirectory("cairn-state-"); // not named by the metadata's backend: a name could be a path
        scratch.add(work);
        Path dir = work.path();
        try {
            KeyedStateBackend<?> restored = backend.createKeyedBackend(new KeyedBackendParameters(job, uid, subtask, keySerializer,
                    range, maxParallelism, dir, Map.of(), loader,
                    new SectionsRestoreContext(List.of(handle), reader, false, range, maxParallelism, maxParallelism, keySerializer, formats)));
            backends.add(restored);
            KeyGroupEntries entries = restored.captureEntries();
            parts.add(new Part(range, entries, mapStates(entries.states())));
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            if (cause instanceof ClassNotFoundException) {
                // a backend restores every state's serializers, so a job type is needed whichever state is asked for
                throw new ToolException("operator '" + uid + "' is stored in " + handle.backend() + "'s own files, restored with every"
                        + " state's serializers: class " + cause.getMessage() + " is not on the tool's class path; give the job's jar"
                        + " with --job <jar>");
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("restoring subtask " + subtask + " of operator '" + uid + "' into " + handle.backend() + ": "
                    + OpenedSnapshot.firstLine(e), e);
        }
    }

    private int[] mapStates(List<StateMetaInfo> found) {
        int[] map = new int[found.size()];
        for (int i = 0; i < map.length; i++) {
            String name = found.get(i).name();
            int at = -1;
            for (int j = 0; j < states.size(); j++) {
                if (states.get(j).name().equals(name)) {
                    at = j;
                }
            }
            if (at < 0) {
                states.add(found.get(i));
                at = states.size() - 1;
            }
            map[i] = at;
        }
        return map;
    }

    /** The formats on the tool's class path (the kernel's own {@code full}, and canonical when its plugin is there). */
    static SnapshotFormats installedFormats(ClassLoader loader) {
        Map<String, SnapshotFormat> found = new TreeMap<>();
        for (ClassLoader l : List.of(SnapshotFormat.class.getClassLoader(), loader)) {
            ServiceLoader.load(SnapshotFormat.class, l).forEach(f -> found.putIfAbsent(f.name(), f));
        }
        return new SnapshotFormats(name -> Optional.ofNullable(found.get(name)), found::keySet);
    }

    String uid() {
        return uid;
    }

    /**
     * The entries of key groups {@code range} of a key-group count other than the snapshot's: every
     * section is read, and each entry's key hashed into the new key groups (the kernel's restore
     * code does this). Sections only: a backend's native files are converted first.
     */
    KeyGroupEntries regrouped(KeyGroupRange range, int newMaxParallelism) throws IOException {
        if (!backends.isEmpty()) {
            throw new IllegalStateException("native files of operator '" + uid + "' cannot be regrouped");
        }
        return new SectionsRestoreContext(sectionHandles, reader, false, range, newMaxParallelism, maxParallelism, keySerializer, formats)
                .entries();
    }

    /** The entries of key groups {@code range} as the kernel's snapshot writer takes them; closing it leaves this open. */
    KeyGroupEntries entries(KeyGroupRange range) {
        return new KeyGroupEntries() {
            @Override
            public List<StateMetaInfo> states() {
                return List.copyOf(states);
            }

            @Override
            public KeyGroupRange keyGroupRange() {
                return range;
            }

            @Override
            public void read(int keyGroup, StateEntrySink sink) throws IOException {
                OperatorKeyedState.this.read(keyGroup, sink::accept);
            }

            @Override
            public void close() {
            }
        };
    }

    TypeSerializer<?> keySerializer() {
        return keySerializer;
    }

    int maxParallelism() {
        return maxParallelism;
    }

    /** Every keyed state of the operator; a sink's {@code state} indexes this list. */
    List<StateMetaInfo> states() {
        return states;
    }

    /** The key groups of the parts opened (every key group of their ranges, with entries or not), ascending. */
    List<Integer> keyGroups() {
        return parts.stream().flatMap(p -> Stream.iterate(p.range().start(), kg -> kg <= p.range().end(), kg -> kg + 1))
                .distinct().sorted(Comparator.naturalOrder()).toList();
    }

    /** Takes an entry with its parts back to back, as {@link StateEntrySink}'s six-argument form. */
    @FunctionalInterface
    interface EntryVisitor {
        /** @param mapKeyLength {@code -1} when the state is not a map */
        void entry(int state, byte[] parts, int keyLength, int namespaceLength, int mapKeyLength, int valueLength) throws IOException;
    }

    /** Hands every entry of {@code keyGroup} to {@code sink}, {@code state} indexing {@link #states()}. */
    void read(int keyGroup, EntryVisitor sink) throws IOException {
        for (Part p : parts) {
            if (p.range().contains(keyGroup)) {
                int[] map = p.stateMap();
                p.entries().read(keyGroup, new StateEntrySink() {
                    @Override
                    public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) throws IOException {
                        sink.entry(map[state], StateEntrySink.joined(key, namespace, mapKey, value), key.length, namespace.length,
                                mapKey == null ? -1 : mapKey.length, value.length);
                    }

                    @Override
                    public void accept(int state, byte[] joined, int k, int n, int mk, int v) throws IOException {
                        sink.entry(map[state], joined, k, n, mk, v);
                    }
                });
            }
        }
    }

    /** Bytes read from the snapshot so far (sections, or whole native files), and how many sections. */
    long bytesRead() {
        return bytesRead.get();
    }

    int sectionsRead() {
        return sectionsRead;
    }

    @Override
    public void close() {
        parts.forEach(p -> p.entries().close());
        backends.forEach(KeyedStateBackend::close);
        scratch.forEach(ScratchDirectory::close);
    }

    /** Counts what is read, and copies native files instead of linking them: a backend must not touch the input. */
    private final class CountingReader implements SnapshotReader {
        private final SnapshotReader inner;

        CountingReader(SnapshotReader inner) {
            this.inner = inner;
        }

        @Override
        public byte[] readSection(KeyGroupSection section) throws IOException {
            byte[] b = inner.readSection(section);
            bytesRead.addAndGet(b.length);
            synchronized (this) {
                sectionsRead++;
            }
            return b;
        }

        @Override
        public byte[] readFile(FileRef file) throws IOException {
            byte[] b = inner.readFile(file);
            bytesRead.addAndGet(b.length);
            return b;
        }

        @Override
        public void placeFile(FileRef file, Path target) throws IOException {
            Files.write(target, readFile(file), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }
}
