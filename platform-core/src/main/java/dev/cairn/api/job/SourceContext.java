package dev.cairn.api.job;

import dev.cairn.api.state.OperatorStateStore;
import java.util.OptionalInt;

public interface SourceContext {
    int subtaskIndex();

    int parallelism();

    /** Restored operator state when {@link #isRestored()}, otherwise empty state. */
    OperatorStateStore operatorState();

    boolean isRestored();

    ClassLoader userClassLoader();

    /**
     * The one input partition this job instance owns, when the job is shared between platform
     * processes by partition ({@code job.placement}): a source then reads only that partition of
     * each of its topics. Empty otherwise: the source deals its partitions out by subtask.
     *
     * @since 1.2
     */
    default OptionalInt inputPartition() {
        return OptionalInt.empty();
    }
}
