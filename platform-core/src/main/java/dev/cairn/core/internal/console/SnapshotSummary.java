package dev.cairn.core.internal.console;

import dev.cairn.core.internal.catalog.SnapshotMetadata;
import dev.cairn.spi.snapshot.KeyGroupSectionsHandle;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import dev.cairn.spi.snapshot.ChangelogHandle;
import dev.cairn.spi.snapshot.NativeFilesHandle;
import dev.cairn.spi.snapshot.StateMetaInfo;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code snapshot <job> <path>}: what an operator wants to know of a snapshot in a screenful
 * (the raw {@code _metadata} of a 1 MiB savepoint is over a thousand lines; {@code --json} shows it).
 */
final class SnapshotSummary {

    private SnapshotSummary() {
    }

    static String of(String path, SnapshotMetadata m) {
        Tables header = new Tables("snapshot", path)
                .row("kind", m.kind() + ", format " + m.format() + ", backend " + m.backend())
                .row("id", m.snapshotId() + ", taken " + Instant.ofEpochMilli(m.timestamp()))
                .row("job", m.jobName() + ", max parallelism " + m.maxParallelism())
                .row("size", Tables.bytes(m.totalSize()) + " in " + m.referencedFiles().size() + " files"
                        + (m.inlined().isEmpty() ? "" : " (" + m.inlined().size() + " inlined in the metadata)"));
        Tables operators = new Tables("OPERATOR", "PARALLELISM", "KEYED STATE", "STATES");
        for (SnapshotMetadata.OperatorSnapshot op : m.operators()) {
            Set<String> layouts = new LinkedHashSet<>();
            Set<String> states = new LinkedHashSet<>();
            boolean operatorState = false;
            for (SnapshotMetadata.SubtaskSnapshot st : op.subtasks()) {
                KeyedStateHandle keyed = st.keyedState();
                if (keyed instanceof KeyGroupSectionsHandle h) {
                    layouts.add("key-group sections (" + h.format() + ")");
                    h.states().stream().map(SnapshotSummary::state).forEach(states::add);
                } else if (keyed instanceof NativeFilesHandle h) {
                    layouts.add(h.backend() + " files");
                    h.states().stream().map(SnapshotSummary::state).forEach(states::add);
                } else if (keyed instanceof ChangelogHandle h) {
                    layouts.add("changelog over " + h.backend());
                    h.states().stream().map(SnapshotSummary::state).forEach(states::add);
                }
                operatorState |= st.operatorState() != null;
            }
            if (operatorState) {
                states.add("operator state");
            }
            operators.row(op.uid(), op.parallelism(), layouts.isEmpty() ? "-" : String.join(", ", layouts),
                    states.isEmpty() ? "-" : states.stream().collect(Collectors.joining(", ")));
        }
        return header.toString().stripTrailing() + "\n\n" + operators.toString().stripTrailing();
    }

    private static String state(StateMetaInfo s) {
        return s.name() + " (" + s.kind().toLowerCase(Locale.ROOT) + (s.ttl() ? ", ttl" : "") + ")";
    }
}
