package dev.cairn.tools.state;

import dev.cairn.core.internal.catalog.OperatorStateHandle;
import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.core.internal.console.Tables;
import dev.cairn.spi.backend.KeyGroupRange;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.FileRef;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.SerializerSnapshotRef;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code state info}: a snapshot's job, kind, format and backend, its operators with their key
 * serializer and their subtasks' key-group ranges and files, and every state with its kind,
 * serializers and TTL —
 * as a screenful of text, or as JSON for scripts.
 */
final class SnapshotInfo {

    private final OpenedSnapshot opened;

    SnapshotInfo(OpenedSnapshot opened) {
        this.opened = opened;
    }

    /** The summary as plain maps and lists, in the order it is printed: what {@code --json} writes. */
    Map<String, Object> model() {
        SnapshotMetadata m = opened.metadata();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("snapshot", opened.location());
        out.put("job", m.jobName());
        out.put("kind", m.kind().name().toLowerCase(Locale.ROOT));
        out.put("name", m.name());
        out.put("id", m.snapshotId());
        out.put("taken", Instant.ofEpochMilli(m.timestamp()).toString());
        out.put("format", m.format());
        out.put("backend", m.backend());
        out.put("max-parallelism", m.maxParallelism());
        out.put("bytes", m.totalSize());
        out.put("files", m.referencedFiles().size());
        out.put("inlined-files", m.inlined().size());
        List<Map<String, Object>> operators = new ArrayList<>();
        for (SnapshotMetadata.OperatorSnapshot op : m.operators()) {
            operators.add(operator(op));
        }
        out.put("operators", operators);
        return out;
    }

    private static Map<String, Object> operator(SnapshotMetadata.OperatorSnapshot op) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("uid", op.uid());
        out.put("parallelism", op.parallelism());
        if (op.keySerializer() != null) {
            out.put("key-serializer", serializer(op.keySerializer()));
        }
        Map<String, Map<String, Object>> keyedStates = new LinkedHashMap<>();
        Map<String, Map<String, Object>> operatorStates = new LinkedHashMap<>();
        List<Map<String, Object>> subtasks = new ArrayList<>();
        for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
            Map<String, Object> subtask = new LinkedHashMap<>();
            subtask.put("index", st.index());
            List<FileRef> files = new ArrayList<>();
            KeyedStateHandle keyed = st.keyedState();
            if (keyed != null) {
                KeyGroupRange range = keyed.keyGroupRange();
                subtask.put("key-groups", range.isEmpty() ? "none" : range.start() + "-" + range.end());
                subtask.put("layout", layout(keyed));
                for (StateMetaInfo s : keyed.states()) {
                    keyedStates.putIfAbsent(s.name(), keyedState(s));
                }
                files.addAll(keyed.storedFiles());
            }
            OperatorStateHandle operatorState = st.operatorState();
            if (operatorState != null) {
                files.add(operatorState.file());
                for (OperatorStateHandle.StateEntry e : operatorState.states()) {
                    Map<String, Object> s = operatorStates.computeIfAbsent(e.name(), n -> operatorState(e));
                    s.merge("entries", e.count(), (a, b) -> ((Number) a).longValue() + ((Number) b).longValue());
                }
            }
            if (st.inFlight() != null) {
                files.add(st.inFlight().file());
                subtask.put("records-in-flight", st.inFlight().records());
            }
            subtask.put("files", files.size());
            subtask.put("bytes", files.stream().mapToLong(FileRef::size).sum());
            subtasks.add(subtask);
        }
        out.put("keyed-states", new ArrayList<>(keyedStates.values()));
        out.put("operator-states", new ArrayList<>(operatorStates.values()));
        out.put("subtasks", subtasks);
        return out;
    }

    private static String layout(KeyedStateHandle keyed) {
        if (keyed instanceof KeyGroupSectionsHandle h) {
            return "key-group sections (" + h.format() + ")";
        }
        if (keyed instanceof NativeFilesHandle h) {
            return h.backend() + " files";
        }
        ChangelogHandle h = (ChangelogHandle) keyed; // the interface is sealed: nothing else
        return "changelog over " + h.backend() + " (" + h.materialized().size() + " materialised, " + h.changes().size() + " log sections)";
    }

    private static Map<String, Object> keyedState(StateMetaInfo s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", s.name());
        out.put("kind", s.kind().toLowerCase(Locale.ROOT));
        out.put("value-serializer", serializer(s.valueSerializer()));
        out.put("namespace-serializer", serializer(s.namespaceSerializer()));
        if (s.mapKeySerializer() != null) {
            out.put("map-key-serializer", serializer(s.mapKeySerializer()));
        }
        out.put("ttl", s.ttl());
        return out;
    }

    private static Map<String, Object> operatorState(OperatorStateHandle.StateEntry e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", e.name());
        out.put("mode", e.mode().toLowerCase(Locale.ROOT));
        out.put("serializer", serializer(e.serializer()));
        out.put("entries", 0L);
        return out;
    }

    private static String serializer(SerializerSnapshotRef ref) {
        return ref == null ? null : ref.serializer();
    }

    String json() throws IOException {
        return Tables.json(model());
    }

    @SuppressWarnings("unchecked")
    String text() {
        Map<String, Object> m = model();
        StringBuilder out = new StringBuilder();
        out.append(new Tables("snapshot", (String) m.get("snapshot"))
                .row("job", m.get("job") + ", max parallelism " + m.get("max-parallelism"))
                .row("kind", m.get("kind") + (m.get("name") == null ? "" : " '" + m.get("name") + "'") + ", id " + m.get("id")
                        + ", taken " + m.get("taken"))
                .row("format", m.get("format") + ", backend " + m.get("backend"))
                .row("size", Tables.bytes((Long) m.get("bytes")) + " in " + m.get("files") + " files"
                        + ((Integer) m.get("inlined-files") == 0 ? "" : " (" + m.get("inlined-files") + " inlined in the metadata)")));
        for (Map<String, Object> op : (List<Map<String, Object>>) m.get("operators")) {
            out.append("\n\noperator ").append(op.get("uid")).append(", parallelism ").append(op.get("parallelism"))
                    .append(op.containsKey("key-serializer") ? ", keys " + op.get("key-serializer") : "");
            Tables subtasks = new Tables("  SUBTASK", "KEY GROUPS", "FILES", "SIZE", "KEYED STATE");
            for (Map<String, Object> st : (List<Map<String, Object>>) op.get("subtasks")) {
                subtasks.row("  " + st.get("index"), st.get("key-groups"), st.get("files"), Tables.bytes((Long) st.get("bytes")), st.get("layout"));
            }
            out.append('\n').append(subtasks);
            List<Map<String, Object>> keyed = (List<Map<String, Object>>) op.get("keyed-states");
            if (!keyed.isEmpty()) {
                Tables states = new Tables("  KEYED STATE", "KIND", "VALUE", "NAMESPACE", "MAP KEY", "TTL");
                for (Map<String, Object> s : keyed) {
                    states.row("  " + s.get("name"), s.get("kind"), s.get("value-serializer"), s.get("namespace-serializer"),
                            s.get("map-key-serializer"), Boolean.TRUE.equals(s.get("ttl")) ? "yes" : "no");
                }
                out.append('\n').append(states);
            }
            List<Map<String, Object>> operatorStates = (List<Map<String, Object>>) op.get("operator-states");
            if (!operatorStates.isEmpty()) {
                Tables states = new Tables("  OPERATOR STATE", "MODE", "SERIALIZER", "ENTRIES");
                for (Map<String, Object> s : operatorStates) {
                    states.row("  " + s.get("name"), s.get("mode"), s.get("serializer"), s.get("entries"));
                }
                out.append('\n').append(states);
            }
        }
        return out.toString();
    }
}
