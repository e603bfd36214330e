package dev.cairn.backend.offheap;

import dev.cairn.api.serialization.TypeSerializer;
import dev.cairn.spi.backend.ElementFilter;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.StateKind;
import dev.cairn.spi.snapshot.KeyGroupChanges;
import dev.cairn.spi.snapshot.KeyGroupEntries;
import dev.cairn.spi.snapshot.StateEntrySink;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The off-heap state as a snapshot's synchronous part saw it: a {@link StoreCapture} of every
 * store that held rows then, read later key group by key group while the task goes on writing.
 * The synchronous part only registers the captures (no copy, no flush).
 */
final class OffHeapEntries implements KeyGroupEntries {

    private record CapturedState(StateKind kind, StateMetaInfo meta, TypeSerializer<Object> valueSerializer, ElementFilter filter,
                                 KeyGroupStore[] stores, StoreCapture[] captures) {
    }

    private final KeyGroupRange range;
    private final List<CapturedState> states = new ArrayList<>();
    private boolean closed;

    OffHeapEntries(KeyGroupRange range, Iterable<OffHeapState> live) {
        this.range = range;
        for (OffHeapState s : live) {
            StoreCapture[] captures = new StoreCapture[s.stores.length];
            for (int i = 0; i < captures.length; i++) {
                captures[i] = s.stores[i].capture();
            }
            // the serializers as of now: a later registration must not change this snapshot
            states.add(new CapturedState(s.kind, s.meta, s.valueSerializer, s.snapshotFilter, s.stores, captures));
        }
    }

    @Override
    public List<StateMetaInfo> states() {
        return states.stream().map(CapturedState::meta).toList();
    }

    @Override
    public KeyGroupRange keyGroupRange() {
        return range;
    }

    @Override
    public void read(int keyGroup, StateEntrySink sink) throws IOException {
        int local = keyGroup - range.start();
        for (int i = 0; i < states.size(); i++) {
            CapturedState s = states.get(i);
            StoreCapture capture = take(s, local, keyGroup);
            if (capture != null) {
                int index = i;
                s.stores()[local].read(capture, (row, value) -> emit(index, s, row, value, sink));
            }
        }
    }

    /**
     * Reads the keys and namespaces {@code prefixes} (per state, in {@link #states()}'s order) of
     * {@code keyGroup}: what each holds goes to {@code sink}, and each that holds nothing (or
     * only entries the snapshot filter drops) to {@code removed}.
     */
    void readKeys(int keyGroup, List<? extends Collection<RowKey>> prefixes, StateEntrySink sink, KeyGroupChanges.RemovalSink removed)
            throws IOException {
        int local = keyGroup - range.start();
        for (int i = 0; i < states.size(); i++) {
            CapturedState s = states.get(i);
            StoreCapture capture = take(s, local, keyGroup);
            Collection<RowKey> keys = i < prefixes.size() ? prefixes.get(i) : List.of();
            int index = i;
            if (capture == null) {
                for (RowKey prefix : keys) {
                    removed(index, prefix.bytes(), removed);
                }
                continue;
            }
            s.stores()[local].readRows(capture, rows -> {
                for (RowKey prefix : keys) {
                    if (!emitKey(index, s, prefix.bytes(), rows, sink)) {
                        removed(index, prefix.bytes(), removed);
                    }
                }
            });
        }
    }

    /** Hands what one key and namespace holds to {@code sink}; false when it holds nothing the snapshot keeps. */
    private static boolean emitKey(int index, CapturedState s, byte[] prefix, KeyGroupStore.CapturedRows rows, StateEntrySink sink)
            throws IOException {
        if (s.kind() != StateKind.MAP) {
            byte[] value = rows.get(prefix);
            return value != null && emit(index, s, prefix, value, sink);
        }
        byte[] userKeys = rows.get(Rows.mapIndex(prefix));
        boolean any = false;
        if (userKeys != null) {
            for (byte[] userKey : Rows.elements(userKeys)) {
                byte[] row = Rows.mapEntry(prefix, userKey);
                byte[] value = rows.get(row);
                any |= value != null && emit(index, s, row, value, sink);
            }
        }
        return any;
    }

    private static void removed(int index, byte[] prefix, KeyGroupChanges.RemovalSink removed) throws IOException {
        Rows.Parsed parsed = Rows.parse(prefix);
        removed.removed(index, parsed.key(prefix), parsed.namespace(prefix));
    }

    /** The key group's capture of the state, handed out once. */
    private synchronized StoreCapture take(CapturedState s, int local, int keyGroup) throws IOException {
        if (closed) {
            throw new IOException("The snapshot of key groups " + range + " was closed before key group " + keyGroup + " was read");
        }
        StoreCapture capture = s.captures()[local];
        s.captures()[local] = null; // each key group is read once
        return capture;
    }

    /** Gives up the key group's captures unread (a checkpoint that references its earlier sections). */
    void skip(int keyGroup) {
        int local = keyGroup - range.start();
        for (CapturedState s : states) {
            StoreCapture capture;
            synchronized (this) {
                capture = s.captures()[local];
                s.captures()[local] = null;
            }
            if (capture != null) {
                s.stores()[local].release(capture);
            }
        }
    }

    /** Hands an entry (each element of a list) to {@code sink}; false when the snapshot filter keeps nothing of it. */
    private static boolean emit(int index, CapturedState s, byte[] row, byte[] stored, StateEntrySink sink) throws IOException {
        Rows.Parsed parsed = Rows.parse(row);
        if (s.kind() == StateKind.MAP && OffHeapState.isMapIndex(parsed)) {
            return false; // derived from the entries again on restore
        }
        byte[] value = OffHeapState.filter(s.kind(), s.valueSerializer(), row, stored, s.filter());
        if (value == null) {
            return false;
        }
        byte[] key = parsed.key(row);
        byte[] namespace = parsed.namespace(row);
        if (s.kind() == StateKind.LIST) {
            for (byte[] element : Rows.elements(value)) {
                sink.accept(index, key, namespace, null, element);
            }
        } else {
            sink.accept(index, key, namespace, s.kind() == StateKind.MAP ? parsed.userKey(row) : null, value);
        }
        return true;
    }

    @Override
    public void close() {
        List<Runnable> releases = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (CapturedState s : states) {
                for (int i = 0; i < s.captures().length; i++) {
                    StoreCapture capture = s.captures()[i];
                    if (capture != null) {
                        KeyGroupStore store = s.stores()[i];
                        releases.add(() -> store.release(capture));
                        s.captures()[i] = null;
                    }
                }
            }
        }
        releases.forEach(Runnable::run);
    }
}
