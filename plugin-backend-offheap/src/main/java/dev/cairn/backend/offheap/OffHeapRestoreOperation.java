package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Fills this backend's stores from the entries the kernel reads out of the snapshot (any
 * backend's, any format, any key-group count). Entries arrive in the states' own serialized form,
 * which is what the stores hold, so nothing is deserialized; key groups are filled on several
 * threads at once, each into stores of its own.
 */
final class OffHeapRestoreOperation<K> {
    private final OffHeapKeyedStateBackend<K> backend;
    private final KeyedBackendParameters<K> params;
    private final RestoreContext restore;

    /** {@code copies}: local copies of earlier checkpoints to read sections from first (null without local recovery). */
    OffHeapRestoreOperation(OffHeapKeyedStateBackend<K> backend, KeyedBackendParameters<K> params, LocalCopies copies) {
        this.backend = backend;
        this.params = params;
        this.restore = copies == null || params.restore().handles().isEmpty() ? params.restore()
                : params.restore().withReader(copies.reader(params.restore().reader()));
    }

    void restore() throws IOException {
        KeyGroupRange range = params.keyGroupRange();
        try (KeyGroupEntries entries = restore.entries()) {
            List<OffHeapState> states = new ArrayList<>();
            for (StateMetaInfo meta : entries.states()) {
                states.add(backend.restoredState(meta, restore(meta.namespaceSerializer(), meta), restore(meta.valueSerializer(), meta),
                        meta.mapKeySerializer() == null ? null : restore(meta.mapKeySerializer(), meta)));
            }
            if (states.isEmpty()) {
                return;
            }
            fill(entries, states, range);
            if (restore.baseReusable()) {
                useBase(states);
            }
        }
    }

    private void fill(KeyGroupEntries entries, List<OffHeapState> states, KeyGroupRange range) throws IOException {
        int threads = Math.min(range.size(), Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "cairn-offheap-restore");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (int kg = range.start(); kg <= range.end(); kg++) {
                int keyGroup = kg;
                reads.add(pool.submit(() -> {
                    KeyGroupFiller filler = new KeyGroupFiller(states, keyGroup - range.start());
                    try {
                        entries.read(keyGroup, filler);
                        filler.flush();
                    } catch (RuntimeException e) {
                        throw new IOException("Cannot restore key group " + keyGroup + " into the off-heap backend: " + e.getMessage(), e);
                    }
                    return null;
                }));
            }
            for (Future<?> f : reads) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while restoring key groups " + range, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
            awaitEnd(pool); // the backend closes its maps after a failure: no thread may still be writing into them
        }
    }

    /**
     * Makes the restored snapshot the base of the next incremental checkpoint, where this
     * backend's key groups lie in it. A section names its states by their place in its handle's
     * list, so only sections of handles in the kernel's own format whose states come in the order
     * they have here are reused; the stores of every other key group stop their logs, so that it
     * is written whole.
     */
    private void useBase(List<OffHeapState> states) {
        List<String> names = states.stream().map(s -> s.name).toList();
        KeyGroupRange range = params.keyGroupRange();
        Map<Integer, List<KeyGroupSection>> sections = new LinkedHashMap<>();
        Map<String, FileRef> files = new HashMap<>();
        Set<Integer> elsewhere = new HashSet<>();
        for (KeyedStateHandle h : restore.handles()) {
            List<String> theirs = h.states().stream().map(StateMetaInfo::name).toList();
            if (h instanceof KeyGroupSectionsHandle handle && handle.format().equals(SnapshotFormat.FULL)
                    && theirs.size() <= names.size() && names.subList(0, theirs.size()).equals(theirs)) {
                for (KeyGroupSection s : handle.sections()) {
                    if (range.contains(s.keyGroup())) {
                        sections.computeIfAbsent(s.keyGroup(), kg -> new ArrayList<>()).add(s); // its whole section, then its deltas
                    }
                }
                handle.files().forEach(f -> files.put(f.path(), f));
            } else {
                for (int kg = Math.max(range.start(), h.keyGroupRange().start()); kg <= Math.min(range.end(), h.keyGroupRange().end()); kg++) {
                    elsewhere.add(kg);
                }
            }
        }
        elsewhere.forEach(sections::remove);
        backend.useBase(new OffHeapSnapshotWriter.Layout(sections, files));
        for (int kg : elsewhere) {
            for (OffHeapState s : states) {
                s.stores[kg - range.start()].changes.stop();
            }
        }
    }

    private static void awaitEnd(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true; // waited for all the same, and told again below
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private TypeSerializer<?> restore(SerializerSnapshotRef ref, StateMetaInfo meta) throws IOException {
        return ref.restoreSerializer(meta.name(), params.operatorUid(), OffHeapRestoreOperation.class.getClassLoader(),
                TypeSerializer.class.getClassLoader(), params.userClassLoader());
    }

    /**
     * Puts the entries of one key group into its stores: values replace, map entries add. The
     * rows of a state are gathered first and written together, into a map sized for them (growing
     * row by row would move them to bigger maps twice or more); list elements and the user keys of
     * each map become one row each.
     */
    private static final class KeyGroupFiller implements StateEntrySink {
        private final List<OffHeapState> states;
        private final int local;
        private final Map<RowKey, byte[]> rows = new LinkedHashMap<>();
        private final Map<RowKey, List<byte[]>> joined = new LinkedHashMap<>();
        private int gatheredState = -1;

        KeyGroupFiller(List<OffHeapState> states, int local) {
            this.states = states;
            this.local = local;
        }

        @Override
        public void accept(int state, byte[] key, byte[] namespace, byte[] mapKey, byte[] value) {
            if (state != gatheredState) {
                flush(); // the entries of one state come together
                gatheredState = state;
            }
            OffHeapState s = states.get(state);
            byte[] prefix = Rows.prefix(key, namespace);
            switch (s.kind) {
                case VALUE -> rows.put(new RowKey(prefix), value);
                case LIST -> joined.computeIfAbsent(new RowKey(prefix), r -> new ArrayList<>()).add(value);
                case MAP -> {
                    if (rows.put(new RowKey(Rows.mapEntry(prefix, mapKey)), value) == null) {
                        joined.computeIfAbsent(new RowKey(Rows.mapIndex(prefix)), r -> new ArrayList<>()).add(mapKey);
                    }
                }
            }
        }

        void flush() {
            if (rows.isEmpty() && joined.isEmpty()) {
                return;
            }
            KeyGroupStore store = states.get(gatheredState).stores[local];
            joined.forEach((row, elements) -> {
                byte[] existing = store.get(row.bytes()); // a list or map restored from several old subtasks' sections
                byte[] added = Rows.join(elements);
                if (existing != null) {
                    byte[] both = Arrays.copyOf(existing, existing.length + added.length);
                    System.arraycopy(added, 0, both, existing.length, added.length);
                    added = both;
                }
                rows.put(row, added);
            });
            store.load(rows);
            rows.clear();
            joined.clear();
        }
    }
}
