package dev.cairn.backend.changelog;

import dev.cairn.backend.heap.HeapStateBackend;
import dev.cairn.conformance.StateBackendConformanceTest;
import dev.cairn.spi.backend.StateBackend;
import dev.cairn.spi.snapshot.KeyedStateHandle;
import java.time.Duration;

/**
 * The changelog over the heap backend, a background materialisation due at every checkpoint:
 * checkpoints build on whichever materialisation has finished and the log since.
 */
class ChangelogOverHeapMaterializingConformanceTest extends StateBackendConformanceTest {
    private static final ChangelogDecorator CHANGELOG = new ChangelogDecorator();
    private static final ChangelogSettings MATERIALIZING = new ChangelogSettings(Duration.ZERO, 4 * 1024, Duration.ofMillis(10),
            1024 * 1024, 0);

    @Override
    protected StateBackend backend() {
        return CHANGELOG.wrap(new HeapStateBackend(), MATERIALIZING);
    }

    @Override
    protected long bytesWrittenFor(KeyedStateHandle second, KeyedStateHandle first) {
        return MaterializingConformance.logBytesWrittenFor(second, first);
    }
}
