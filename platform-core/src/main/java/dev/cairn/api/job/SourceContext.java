package dev.cairn.api.job;

import dev.cairn.api.state.OperatorStateStore;

public interface SourceContext {
    int subtaskIndex();

    int parallelism();

    /** Restored operator state when {@link #isRestored()}, otherwise empty state. */
    OperatorStateStore operatorState();

    boolean isRestored();

    ClassLoader userClassLoader();
}
