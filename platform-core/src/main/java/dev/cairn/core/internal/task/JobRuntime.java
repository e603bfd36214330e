package dev.cairn.core.internal.task;

import dev.cairn.api.job.JobConfig;
import dev.cairn.api.job.JobGraph;
import dev.cairn.core.internal.checkpoint.JobSnapshots;
import dev.cairn.core.internal.crash.FailureInjector;
import dev.cairn.core.internal.serialization.SerializerResolver;
import dev.cairn.core.internal.snapshot.SnapshotFormats;
import dev.cairn.spi.backend.StateBackend;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * What every execution attempt of a job runs with: its graph and configuration, its state
 * backend and classes, its operators' functions, and its snapshots.
 *
 * @param formats          the snapshot formats present, looked up at each use
 * @param workingDirectory where keyed backends keep their local files
 * @param changelog        whether {@code backend} is wrapped by the changelog (it reads changelog handles)
 */
public record JobRuntime(JobGraph graph, JobConfig config, StateBackend backend, SnapshotFormats formats, SerializerResolver serializers,
                         OperatorFunctions functions, FailureInjector injector, Path workingDirectory, JobSnapshots snapshots,
                         boolean changelog, OptionalInt inputPartition) {

    String jobName() {
        return graph.name();
    }
}
