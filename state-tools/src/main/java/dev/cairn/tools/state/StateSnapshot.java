package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.state.TtlValue;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.SnapshotFormat;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A checkpoint or savepoint on local disk, read without a platform: the Java face of
 * {@code bin/cairn state}. States are read as streams of decoded entries, key group by key group
 * (memory holds one key group at a time); new savepoints are written from it.
 *
 * <pre>{@code
 * StateSnapshot sp = StateSnapshot.open(Path.of("data/snapshots/offers/savepoints/sp"), jobClassLoader);
 * try (Stream<StateEntry> seqs = sp.entries("enrich", "next-seq")) {
 *     long total = seqs.mapToLong(e -> (Long) e.value()).sum();
 * }
 * sp.rewrite(Path.of("data/snapshots/imported/sp-256"), SavepointChanges.none().withMaxParallelism(256));
 * }</pre>
 *
 * Bad input (not a snapshot, an unknown operator or state, a job type the class loader does not
 * have) is an {@link IllegalArgumentException} with the message the command line prints.
 */
public final class StateSnapshot {

    private final OpenedSnapshot opened;
    private final ClassLoader loader;

    private StateSnapshot(OpenedSnapshot opened, ClassLoader loader) {
        this.opened = opened;
        this.loader = loader;
    }

    /**
     * @param snapshot       a job's {@code chk-<n>} directory, a savepoint's directory, or its {@code _metadata} file
     * @param jobClassLoader where the job's own types come from (keys and values stored with Kryo)
     */
    public static StateSnapshot open(Path snapshot, ClassLoader jobClassLoader) {
        return new StateSnapshot(unchecked(() -> OpenedSnapshot.open(snapshot.toString())), jobClassLoader);
    }

    public String jobName() {
        return opened.metadata().jobName();
    }

    public int maxParallelism() {
        return opened.metadata().maxParallelism();
    }

    public List<String> operators() {
        return opened.metadata().operators().stream().map(SnapshotMetadata.OperatorSnapshot::uid).toList();
    }

    /** The keyed states of operator {@code uid} (the platform's own timers left out). */
    public List<String> keyedStates(String uid) {
        try {
            return OperatorKeyedState.operator(opened, uid).subtasks().stream().filter(st -> st.keyedState() != null)
                    .flatMap(st -> st.keyedState().states().stream()).filter(s -> !s.kind().equals("TIMERS")).map(StateMetaInfo::name)
                    .distinct().toList();
        } catch (ToolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Every entry of keyed state {@code state} of operator {@code uid}, in key-group order; close the stream when done. */
    public Stream<StateEntry> entries(String uid, String state) {
        OperatorKeyedState keyed = unchecked(() -> OperatorKeyedState.open(opened, uid, new KeyGroupRange(0, maxParallelism() - 1), loader));
        try {
            StateDecoder decoder = new StateDecoder(keyed, loader);
            int index = decoder.stateIndex(state);
            decoder.requireSerializers(index);
            Iterator<Integer> keyGroups = keyed.keyGroups().iterator();
            Deque<StateEntry> buffered = new ArrayDeque<>();
            Iterator<StateEntry> it = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    while (buffered.isEmpty() && keyGroups.hasNext()) {
                        try {
                            keyed.read(keyGroups.next(), (s, parts, k, n, mk, v) -> {
                                if (s == index) {
                                    Object value = decoder.value(s, parts, k + n + Math.max(mk, 0), v);
                                    buffered.add(new StateEntry(decoder.key(parts, 0, k), decoder.namespace(s, parts, k, n),
                                            mk < 0 ? null : decoder.mapKey(s, parts, k + n, mk), StateDecoder.unwrapped(value),
                                            value instanceof TtlValue<?> t ? t.timestamp() : null));
                                }
                            });
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return !buffered.isEmpty();
                }

                @Override
                public StateEntry next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return buffered.poll();
                }
            };
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
                    .onClose(keyed::close);
        } catch (ToolException | RuntimeException e) {
            keyed.close();
            throw e instanceof ToolException ? new IllegalArgumentException(e.getMessage(), e) : (RuntimeException) e;
        }
    }

    /** Writes a new savepoint of key-group sections in {@code format} ({@code canonical} or {@code full}) with {@code changes}. */
    public Path rewrite(Path target, SavepointChanges changes, String format) {
        SnapshotFormat f = OperatorKeyedState.installedFormats(loader).find(format)
                .orElseThrow(() -> new IllegalArgumentException("snapshot format '" + format + "' is not on the class path"));
        return unchecked(() -> new SavepointRewriter(opened, loader).write(target, f, changes).directory());
    }

    /** The same in the canonical format (the platform's savepoint format). */
    public Path rewrite(Path target, SavepointChanges changes) {
        return rewrite(target, changes, "canonical");
    }

    private interface Action<T> {
        T run() throws ToolException, IOException;
    }

    private static <T> T unchecked(Action<T> action) {
        try {
            return action.run();
        } catch (ToolException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
