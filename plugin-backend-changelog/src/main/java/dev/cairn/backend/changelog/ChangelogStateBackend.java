package dev.cairn.backend.changelog;

import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.backend.KeyedBackendParameters;
import dev.cairn.spi.backend.KeyedStateBackend;
import dev.cairn.spi.backend.RestoreContext;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSection;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A backend with the changelog: the wrapped backend holds the state, the changelog logs its
 * changes. It keeps the wrapped backend's name, so that snapshots name the backend whose files
 * they hold.
 */
final class ChangelogStateBackend implements StateBackend {
    private final StateBackend wrapped;
    private final ChangelogSettings settings;
    private final GroupedUploads uploads;
    private final Executor materializations;

    /** One per job run: its subtasks' log batches are uploaded together. */
    ChangelogStateBackend(StateBackend wrapped, ChangelogSettings settings, Executor uploads, Executor materializations) {
        this.wrapped = wrapped;
        this.settings = settings;
        this.uploads = new GroupedUploads(uploads, settings.uploadRetries());
        this.materializations = materializations;
    }

    @Override
    public String name() {
        return wrapped.name();
    }

    @Override
    public boolean supportsIncremental() {
        return true;
    }

    @Override
    public Map<String, Long> metrics() {
        return wrapped.metrics();
    }

    /**
     * Restores the wrapped backend from the materialisations (and from plain handles, when the
     * changelog was just turned on), then hands the log's sections of this key-group range to
     * the replay.
     */
    @Override
    public <K> KeyedStateBackend<K> createKeyedBackend(KeyedBackendParameters<K> params) throws Exception {
        RestoreContext restore = params.restore();
        KeyGroupRange range = params.keyGroupRange();
        // two rescales within one materialisation interval hand the same materialisation to a subtask twice
        Set<KeyedStateHandle> bases = new java.util.LinkedHashSet<>();
        boolean plain = false;
        List<KeyGroupSection> changes = new ArrayList<>();
        Map<String, FileRef> changeFiles = new LinkedHashMap<>();
        Map<String, StateMetaInfo> logged = new LinkedHashMap<>();
        for (KeyedStateHandle h : restore.handles()) {
            if (h instanceof ChangelogHandle c) {
                bases.addAll(c.materialized());
                Set<String> used = new HashSet<>();
                for (KeyGroupSection s : c.changes()) {
                    if (range.contains(s.keyGroup())) {
                        changes.add(s);
                        used.add(s.path());
                    }
                }
                c.changeFiles().stream().filter(f -> used.contains(f.path())).forEach(f -> changeFiles.putIfAbsent(f.path(), f));
                c.states().forEach(m -> logged.putIfAbsent(m.name(), m));
            } else {
                bases.add(h);
                plain = true;
            }
        }
        // the working directory outlives a failed attempt: the wrapped backend's local recovery and the log's copies live there
        KeyedStateBackend<K> inner = wrapped.createKeyedBackend(params.with(restore.withHandles(List.copyOf(bases)),
                params.workingDirectory().resolve("backend")));
        try {
            String name = "operator " + params.operatorUid() + " subtask " + params.subtaskIndex();
            LocalLogCopies local = new LocalLogCopies(params.workingDirectory().resolve("changelog"));
            ChangeReplay replay = changes.isEmpty() ? null : new ChangeReplay(changes, s -> local.read(s, restore.reader()), logged);
            boolean fresh = restore.handles().isEmpty();
            // a plain backend's handle may have files inlined in its own snapshot's metadata only: the first checkpoint materialises
            boolean reusable = fresh || (restore.baseReusable() && !plain);
            List<String> stateNames = new ArrayList<>();
            ChangeLog log = params.background().available()
                    ? new ChangeLog(range, settings, uploads, params.background(), name, stateNames, local) : null;
            Materializations m = new Materializations(inner, log, params.background(), settings, materializations, System::nanoTime, name,
                    reusable ? List.copyOf(bases) : null, reusable ? changes : List.of(), reusable ? List.copyOf(changeFiles.values()) : List.of());
            return new ChangelogKeyedStateBackend<>(inner, wrapped.name(), params, log, m, replay, logged, stateNames);
        } catch (Exception | Error e) {
            inner.close();
            throw e;
        }
    }
}
