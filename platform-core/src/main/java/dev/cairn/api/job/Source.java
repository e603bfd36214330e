package dev.cairn.api.job;

/**
 * A replayable source. Each subtask gets a reader; a reader keeps its read position in operator
 * state (from {@link SourceContext#operatorState()}) so that a restore replays exactly what the
 * restored checkpoint had not yet covered.
 */
@FunctionalInterface
public interface Source<T> extends java.io.Serializable {
    SourceReader<T> createReader(SourceContext context) throws Exception;
}
